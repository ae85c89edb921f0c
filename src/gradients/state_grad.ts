// Variables and the ops that update them are not differentiable (TF1's state_ops and
// training_ops): a gradient reaches a variable through the value read from it.
import { registerGradient } from '../framework/gradient_registry.js';

for (const type of [
  'VariableV2', 'Variable', 'Assign', 'AssignAdd', 'AssignSub', 'IsVariableInitialized', 'CountUpTo',
  'ApplyGradientDescent', 'ApplyMomentum', 'ApplyAdam', 'ApplyAdaMax', 'ApplyAdagrad', 'ApplyAdadelta',
  'ApplyRMSProp', 'ApplyCenteredRMSProp', 'ApplyFtrl', 'ApplyFtrlV2',
]) {
  registerGradient(type, null);
}
