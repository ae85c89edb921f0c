// tf.io: file formats and parsing, as TF's tf.io (TF1.15) names them.
export { TFRecordWriter, tfRecordIterator, type TFRecordOptions, type CompressionType } from './tfrecord.js';
export {
  decodeCsv, decodeRaw, parseExample, parseSingleExample, FixedLenFeature, readFile, writeFile, matchingFiles,
  type FixedLenFeatureSpec, type Features, type DecodeCsvOptions, type DecodeRawOptions, type ParseExampleOptions,
} from '../ops/parsing_ops.js';
