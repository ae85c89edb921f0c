// tf.summary: summary ops (summary_ops.ts) and the event file writer.
export { FileWriter, type FileWriterOptions, type SummaryLike, type StepLike } from './writer.js';
export { readEvents, isEventFileName, type ReadEventsResult } from './event_file.js';
