// tf.contrib: the TF1 contrib APIs the contract names.
import { argScope, batchNorm, dropout, flatten, fullyConnected, l1Regularizer, l2Regularizer } from './contrib_layers.js';
import { contribVarianceScalingInitializer, xavierInitializer } from './ops/init_ops.js';
import { byteSizeLoadFn, GreedyLoadBalancingStrategy } from './train/device_setter.js';
import { AdaMaxOptimizer, AdamWOptimizer, NadamOptimizer } from './train/optimizers.js';

export const contrib = {
  opt: { AdaMaxOptimizer, NadamOptimizer, AdamWOptimizer },
  layers: {
    varianceScalingInitializer: contribVarianceScalingInitializer, xavierInitializer,
    fullyConnected, batchNorm, dropout, l1Regularizer, l2Regularizer, flatten, argScope,
  },
  /** TF1's tf.contrib.training ps strategies (also tf.train.*). */
  training: { GreedyLoadBalancingStrategy, byteSizeLoadFn },
};
