// The one home of gradient functions (TF's ops.RegisterGradient / ops.NotDifferentiable):
// op types map to the function building their inputs' gradients. Kept apart from the op
// registry so an op's record (inputs, outputs, attrs, shape) says nothing about autodiff,
// and each gradient lives in src/gradients/ beside the others of its family.
import type { Operation } from './operation.js';
import type { Tensor } from './tensor.js';

/** Gradients of an op's inputs given the gradients of its outputs (undefined: no gradient). */
export type GradFn = (op: Operation, grads: (Tensor | undefined)[]) => (Tensor | undefined | null)[];

const registry = new Map<string, GradFn | null>();

/**
 * Registers the gradient of an op type; `null` marks it not differentiable (no gradient
 * flows through it). Like TF's RegisterGradient, an op type can be registered only once.
 */
export function registerGradient(opType: string, fn: GradFn | null): void {
  if (registry.has(opType)) throw new Error(`Registering two gradient with name '${opType}'`);
  registry.set(opType, fn);
}

/** The gradient of an op type: null when not differentiable, undefined when none is registered. */
export function getGradientFunction(opType: string): GradFn | null | undefined {
  return registry.get(opType);
}
