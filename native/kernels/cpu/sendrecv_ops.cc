// _Send and _Recv (TF's core/kernels/sendrecv_ops.cc): the two ends of an edge between two
// partitions of a step, meeting in the step's rendezvous (runtime/rendezvous.h) under TF's
// key. Both run on dead inputs too, so a dead value (an untaken tf.cond branch) crosses as
// dead. Registered for GPU devices as well: a value in one device's memory reaches another's
// through host memory, copied on the receiving side.
#include "runtime/kernel.h"

namespace tg {
namespace {

std::string KeyPrefixOf(const Node& n) {
  return Rendezvous::KeyPrefix(n.AttrString("send_device"), static_cast<uint64_t>(n.AttrInt("send_device_incarnation")),
                               n.AttrString("recv_device"), n.AttrString("tensor_name"));
}

Rendezvous* StepRendezvous(OpKernelContext* ctx) {
  Rendezvous* r = ctx->rendezvous();
  if (!r) throw Error(Code::kInternal, ctx->node().op + " ran in a step without a rendezvous", ctx->node().name);
  return r;
}

class SendOp : public OpKernel {
 public:
  explicit SendOp(const KernelConstruction& c) : OpKernel(c, 0), prefix_(KeyPrefixOf(c.node)) {}
  bool IsExpensive() const override { return false; }
  bool IsTransfer() const override { return true; }
  void Compute(OpKernelContext* ctx) const override {
    RendezvousValue v;
    v.is_dead = ctx->is_node_dead() || ctx->input_is_dead(0);
    if (!v.is_dead) {
      v.tensor = ctx->input(0);
      if (v.tensor.on_device()) v.memory = ctx->device();
    }
    StepRendezvous(ctx)->Send(Rendezvous::KeyWithFrame(prefix_, ctx->frame_id(), ctx->iter_id()), std::move(v));
  }

 private:
  const std::string prefix_;
};

class RecvOp : public AsyncOpKernel {
 public:
  explicit RecvOp(const KernelConstruction& c) : AsyncOpKernel(c), prefix_(KeyPrefixOf(c.node)) {}
  bool IsTransfer() const override { return true; }
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    Rendezvous* r = StepRendezvous(ctx);
    // The rendezvous is aborted with the step's cancellation, which ends this wait.
    r->RecvAsync(Rendezvous::KeyWithFrame(prefix_, ctx->frame_id(), ctx->iter_id()),
                 [ctx, done = std::move(done)](const Status& s, RendezvousValue v) {
                   if (!s.ok()) {
                     ctx->SetStatus(s);
                   } else if (v.is_dead) {
                     ctx->set_output_dead(0);
                   } else {
                     try {
                       Tensor t = std::move(v.tensor);
                       if (t.on_device()) t = v.memory->CopyToHost(t);  // leaves the sender's memory
                       if (ctx->output_on_device(0)) t = ctx->device()->CopyFromHost(t);
                       ctx->set_output(0, std::move(t));
                     } catch (const Error& e) {
                       ctx->SetStatus(e);
                     }
                   }
                   done();
                 });
  }

 private:
  const std::string prefix_;
};

TG_REGISTER_KERNEL(Name("_Send").Device(DEVICE_CPU), SendOp);
TG_REGISTER_KERNEL(Name("_Recv").Device(DEVICE_CPU), RecvOp);
TG_REGISTER_KERNEL(Name("_Send").Device(DEVICE_GPU), SendOp);
TG_REGISTER_KERNEL(Name("_Recv").Device(DEVICE_GPU), RecvOp);

}  // namespace
}  // namespace tg
