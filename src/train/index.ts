// tf.train: optimizers, learning-rate schedules, global step, savers, input pipelines
// (Coordinator, QueueRunner, producers and batching).
export * from './optimizer.js';
export * from './optimizers.js';
export * from './learning_rate_decay.js';
export * from './training_util.js';
export * from './saver.js';
export * from './meta_graph.js';
export * from './checkpoint_utils.js';
export * from './coordinator.js';
export * from './queue_runner.js';
export * from './input.js';
export * from './cluster_spec.js';
export * from './device_setter.js';
export * from './sync_replicas_optimizer.js';
export * from './server_lib.js';
