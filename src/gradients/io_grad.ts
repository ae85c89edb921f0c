// Input pipelines, files, checkpoints and summaries are not differentiable (TF1's io_ops,
// parsing_ops, data_flow_ops and summary_ops NotDifferentiable lists).
import { registerGradient } from '../framework/gradient_registry.js';

for (const type of [
  // io_ops: checkpoints, files
  'SaveV2', 'RestoreV2', 'ReadFile', 'WriteFile', 'MatchingFiles',
  // readers
  'TextLineReaderV2', 'FixedLengthRecordReaderV2', 'TFRecordReaderV2', 'WholeFileReaderV2', 'IdentityReaderV2',
  'ReaderReadV2', 'ReaderReadUpToV2', 'ReaderNumRecordsProducedV2', 'ReaderNumWorkUnitsCompletedV2', 'ReaderResetV2',
  // parsing_ops
  'DecodeCSV', 'DecodeRaw', 'StringToNumber', 'StringSplit', 'ParseExample', 'ParseSingleExample',
  // data_flow_ops: queues
  'FIFOQueueV2', 'RandomShuffleQueueV2', 'PaddingFIFOQueueV2', 'PriorityQueueV2',
  'QueueEnqueueV2', 'QueueEnqueueManyV2', 'QueueDequeueV2', 'QueueDequeueManyV2', 'QueueDequeueUpToV2',
  'QueueCloseV2', 'QueueSizeV2', 'QueueIsClosedV2',
  // summary_ops
  'ScalarSummary', 'HistogramSummary', 'ImageSummary', 'AudioSummaryV2', 'TensorSummaryV2', 'MergeSummary',
]) {
  registerGradient(type, null);
}
