// The protobuf message types the viewer decodes, loaded once from <package root>/schema/proto.
// Interim: src/summary/proto.ts (the library's one protobufjs root) replaces this when it lands.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** <package root>: dist/viewer/ or src/viewer/ are two levels below it. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ViewerTypes {
  Event: protobuf.Type;
  GraphDef: protobuf.Type;
  MetaGraphDef: protobuf.Type;
}

let types: ViewerTypes | undefined;

export function viewerTypes(): ViewerTypes {
  if (types) return types;
  const dir = join(packageRoot, 'schema', 'proto');
  const root = protobuf.loadSync([join(dir, 'event.proto'), join(dir, 'graph.proto')]);
  // MetaGraphDef's graph_def (field 2) is all the viewer needs of a meta graph event.
  const ns = root.lookup('tensorflow') as protobuf.Namespace;
  if (!ns.get('MetaGraphDef')) ns.add(new protobuf.Type('MetaGraphDef').add(new protobuf.Field('graph_def', 2, 'GraphDef')));
  root.resolveAll();
  types = {
    Event: root.lookupType('tensorflow.Event'),
    GraphDef: root.lookupType('tensorflow.GraphDef'),
    MetaGraphDef: root.lookupType('tensorflow.MetaGraphDef'),
  };
  return types;
}
