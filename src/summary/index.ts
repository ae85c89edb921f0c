// tf.summary: summary ops (summary_ops.ts) and the event file writer.
export {
  scalar, histogram, image, audio, text, tensorSummary, merge, mergeAll,
  type SummaryOptions, type ImageSummaryOptions, type AudioSummaryOptions, type TensorSummaryOptions,
} from './summary_ops.js';
export { FileWriter, type FileWriterOptions, type SummaryLike, type StepLike } from './writer.js';
export { readEvents, isEventFileName, type ReadEventsResult } from './event_file.js';
