// Random ops are not differentiable (TF1's random_ops.py NotDifferentiable list).
import { registerGradient } from '../framework/gradient_registry.js';

for (const type of ['RandomUniform', 'RandomStandardNormal', 'TruncatedNormal', 'RandomUniformInt', 'RandomShuffle', 'Multinomial']) {
  registerGradient(type, null);
}
