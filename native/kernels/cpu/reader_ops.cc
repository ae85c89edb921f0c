// Reader resources and the ops that use them (TF 1.x V2 names):
//   TextLineReaderV2(skip_header_lines), FixedLengthRecordReaderV2(header_bytes, record_bytes,
//   footer_bytes, hop_bytes, encoding), TFRecordReaderV2(compression_type), WholeFileReaderV2,
//   IdentityReaderV2 -- all with container/shared_name, output a DT_RESOURCE handle;
//   ReaderReadV2(reader_handle, queue_handle) -> key, value (async)
//   ReaderReadUpToV2(reader_handle, queue_handle, num_records) -> keys, values (async)
//   ReaderNumRecordsProducedV2, ReaderNumWorkUnitsCompletedV2 -> int64; ReaderResetV2.
#include <memory>
#include <string>

#include "io/file_io.h"
#include "io/reader_base.h"
#include "io/record_reader.h"
#include "runtime/kernel.h"
#include "runtime/queue.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

// Key "<file>:<1-based line>"; header lines count.
class TextLineReader : public ReaderBase {
 public:
  TextLineReader(std::string name, int64_t skip) : ReaderBase(std::move(name)), skip_(skip) {}

 protected:
  void OnWorkStarted() override {
    line_ = 0;
    in_ = OpenInputStream(current_work());
    std::string ignored;
    for (int64_t i = 0; i < skip_ && in_->ReadLine(&ignored); i++) line_++;
  }
  void OnWorkFinished() override { in_.reset(); }
  bool ReadRecord(std::string* key, std::string* value, bool* at_end) override {
    if (!in_->ReadLine(value)) {
      *at_end = true;
      return false;
    }
    *key = current_work() + ":" + std::to_string(++line_);
    return true;
  }
  void ResetLocked() override { in_.reset(); }

 private:
  const int64_t skip_;
  std::unique_ptr<InputStream> in_;
  int64_t line_ = 0;
};

// Records of record_bytes after header_bytes, every hop_bytes (0: back to back), while a whole
// record still ends before the footer. Key "<file>:<0-based index>".
class FixedLengthRecordReader : public ReaderBase {
 public:
  FixedLengthRecordReader(std::string name, int64_t header, int64_t record, int64_t footer, int64_t hop, Compression c)
      : ReaderBase(std::move(name)), header_(header), record_(record), footer_(footer), hop_(hop), compression_(c) {}

 protected:
  void OnWorkStarted() override {
    index_ = 0;
    auto in = OpenInputStream(current_work(), compression_);
    data_.clear();
    while (in->ReadN(1 << 20, &data_) == (1u << 20)) {
    }
  }
  void OnWorkFinished() override { std::string().swap(data_); }
  bool ReadRecord(std::string* key, std::string* value, bool* at_end) override {
    const uint64_t size = data_.size();
    const uint64_t start = static_cast<uint64_t>(header_) + static_cast<uint64_t>(index_) * static_cast<uint64_t>(hop_ > 0 ? hop_ : record_);
    if (size < static_cast<uint64_t>(footer_) || start + record_ > size - footer_) {
      *at_end = true;
      return false;
    }
    value->assign(data_, start, record_);
    *key = current_work() + ":" + std::to_string(index_++);
    return true;
  }
  void ResetLocked() override { std::string().swap(data_); }

 private:
  const int64_t header_, record_, footer_, hop_;
  const Compression compression_;
  std::string data_;
  int64_t index_ = 0;
};

// Key "<file>:<byte offset of the record>"; corruption is DataLoss and the reader stays put.
class TFRecordReader : public ReaderBase {
 public:
  TFRecordReader(std::string name, Compression c) : ReaderBase(std::move(name)), compression_(c) {}

 protected:
  void OnWorkStarted() override {
    offset_ = 0;
    reader_ = std::make_unique<RecordReader>(current_work(), compression_);
  }
  void OnWorkFinished() override { reader_.reset(); }
  bool ReadRecord(std::string* key, std::string* value, bool* at_end) override {
    const uint64_t at = offset_;
    if (!reader_->ReadRecord(&offset_, value)) {
      *at_end = true;
      return false;
    }
    *key = current_work() + ":" + std::to_string(at);
    return true;
  }
  void ResetLocked() override { reader_.reset(); }

 private:
  const Compression compression_;
  std::unique_ptr<RecordReader> reader_;
  uint64_t offset_ = 0;
};

class WholeFileReader : public ReaderBase {
 public:
  using ReaderBase::ReaderBase;

 protected:
  void OnWorkStarted() override {}
  bool ReadRecord(std::string* key, std::string* value, bool* at_end) override {
    *value = ReadFileToString(current_work());
    *key = current_work();
    *at_end = true;
    return true;
  }
};

class IdentityReader : public ReaderBase {
 public:
  using ReaderBase::ReaderBase;

 protected:
  void OnWorkStarted() override {}
  bool ReadRecord(std::string* key, std::string* value, bool* at_end) override {
    *key = current_work();
    *value = current_work();
    *at_end = true;
    return true;
  }
};

// The reader-creating ops: the resource is shared_name (or the node name) in container.
class ReaderOpBase : public OpKernel {
 public:
  explicit ReaderOpBase(const KernelConstruction& c)
      : OpKernel(c), container_(c.node.AttrString("container", "")), shared_name_(c.node.AttrString("shared_name", "")) {}
  void Compute(OpKernelContext* ctx) const override {
    const std::string name = shared_name_.empty() ? ctx->node().name : shared_name_;
    try {
      ctx->resources()->LookupOrCreate<ReaderBase>(container_, name, [&] { return Create(name); });
    } catch (const Error& e) {
      throw Error(e.code(), e.what(), ctx->node().name);
    }
    ctx->set_output(0, MakeResourceHandle(container_, name));
  }
  bool IsExpensive() const override { return false; }

 protected:
  virtual std::shared_ptr<ReaderBase> Create(const std::string& name) const = 0;

 private:
  std::string container_, shared_name_;
};

class TextLineReaderOp : public ReaderOpBase {
 public:
  explicit TextLineReaderOp(const KernelConstruction& c) : ReaderOpBase(c), skip_(c.node.AttrInt("skip_header_lines", 0)) {
    if (skip_ < 0) throw InvalidArgument("skip_header_lines must be >= 0 not " + std::to_string(skip_), c.node.name);
  }
  std::shared_ptr<ReaderBase> Create(const std::string& name) const override {
    return std::make_shared<TextLineReader>(name, skip_);
  }

 private:
  int64_t skip_;
};
TG_REGISTER_KERNEL(Name("TextLineReaderV2").Device(DEVICE_CPU), TextLineReaderOp);

class FixedLengthRecordReaderOp : public ReaderOpBase {
 public:
  explicit FixedLengthRecordReaderOp(const KernelConstruction& c)
      : ReaderOpBase(c),
        header_(c.node.AttrInt("header_bytes", 0)),
        record_(c.node.AttrInt("record_bytes")),
        footer_(c.node.AttrInt("footer_bytes", 0)),
        hop_(c.node.AttrInt("hop_bytes", 0)) {
    const std::string& n = c.node.name;
    if (header_ < 0) throw InvalidArgument("header_bytes must be >= 0 not " + std::to_string(header_), n);
    if (record_ <= 0) throw InvalidArgument("record_bytes must be > 0 not " + std::to_string(record_), n);
    if (footer_ < 0) throw InvalidArgument("footer_bytes must be >= 0 not " + std::to_string(footer_), n);
    if (hop_ < 0) throw InvalidArgument("hop_bytes must be >= 0 not " + std::to_string(hop_), n);
    try {
      compression_ = ParseCompression(c.node.AttrString("encoding", ""));
    } catch (const Error& e) {
      throw InvalidArgument(e.what(), n);
    }
  }
  std::shared_ptr<ReaderBase> Create(const std::string& name) const override {
    return std::make_shared<FixedLengthRecordReader>(name, header_, record_, footer_, hop_, compression_);
  }

 private:
  int64_t header_, record_, footer_, hop_;
  Compression compression_ = Compression::kNone;
};
TG_REGISTER_KERNEL(Name("FixedLengthRecordReaderV2").Device(DEVICE_CPU), FixedLengthRecordReaderOp);

class TFRecordReaderOp : public ReaderOpBase {
 public:
  explicit TFRecordReaderOp(const KernelConstruction& c) : ReaderOpBase(c) {
    try {
      compression_ = ParseCompression(c.node.AttrString("compression_type", ""));
    } catch (const Error& e) {
      throw InvalidArgument(e.what(), c.node.name);
    }
  }
  std::shared_ptr<ReaderBase> Create(const std::string& name) const override {
    return std::make_shared<TFRecordReader>(name, compression_);
  }

 private:
  Compression compression_ = Compression::kNone;
};
TG_REGISTER_KERNEL(Name("TFRecordReaderV2").Device(DEVICE_CPU), TFRecordReaderOp);

class WholeFileReaderOp : public ReaderOpBase {
 public:
  using ReaderOpBase::ReaderOpBase;
  std::shared_ptr<ReaderBase> Create(const std::string& name) const override { return std::make_shared<WholeFileReader>(name); }
};
TG_REGISTER_KERNEL(Name("WholeFileReaderV2").Device(DEVICE_CPU), WholeFileReaderOp);

class IdentityReaderOp : public ReaderOpBase {
 public:
  using ReaderOpBase::ReaderOpBase;
  std::shared_ptr<ReaderBase> Create(const std::string& name) const override { return std::make_shared<IdentityReader>(name); }
};
TG_REGISTER_KERNEL(Name("IdentityReaderV2").Device(DEVICE_CPU), IdentityReaderOp);

template <typename T>
std::shared_ptr<T> LookupResource(OpKernelContext* ctx, int input) {
  const ResourceHandle h = GetResourceHandle(ctx->input(input), ctx->node().name);
  try {
    return ctx->resources()->Lookup<T>(h.container, h.name);
  } catch (const Error& e) {
    throw Error(e.code(), e.what(), ctx->node().name);
  }
}

class ReaderReadOp : public AsyncOpKernel {
 public:
  explicit ReaderReadOp(const KernelConstruction& c) : AsyncOpKernel(c, 2) {}
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    auto reader = LookupResource<ReaderBase>(ctx, 0);
    auto queue = LookupResource<QueueInterface>(ctx, 1);
    reader->Read(ctx, std::move(queue), -1, std::move(done));
  }
};
TG_REGISTER_KERNEL(Name("ReaderReadV2").Device(DEVICE_CPU), ReaderReadOp);

class ReaderReadUpToOp : public AsyncOpKernel {
 public:
  explicit ReaderReadUpToOp(const KernelConstruction& c) : AsyncOpKernel(c, 2) {}
  void ComputeAsync(OpKernelContext* ctx, DoneCallback done) const override {
    auto reader = LookupResource<ReaderBase>(ctx, 0);
    auto queue = LookupResource<QueueInterface>(ctx, 1);
    const Tensor& n = ctx->input(2);
    if (n.dtype() != DataType::DT_INT64 || n.num_elements() != 1) {
      throw ctx->InvalidArg("num_records must be an int64 scalar, got " + n.DebugString());
    }
    const int64_t num = n.data<int64_t>()[0];
    if (num < 0) throw ctx->InvalidArg("num_records must be >= 0 but got " + std::to_string(num));
    reader->Read(ctx, std::move(queue), num, std::move(done));
  }
};
TG_REGISTER_KERNEL(Name("ReaderReadUpToV2").Device(DEVICE_CPU), ReaderReadUpToOp);

class ReaderNumRecordsProducedOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    ctx->set_output(0, Tensor::Scalar<int64_t>(LookupResource<ReaderBase>(ctx, 0)->NumRecordsProduced()));
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("ReaderNumRecordsProducedV2").Device(DEVICE_CPU), ReaderNumRecordsProducedOp);

class ReaderNumWorkUnitsCompletedOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    ctx->set_output(0, Tensor::Scalar<int64_t>(LookupResource<ReaderBase>(ctx, 0)->NumWorkUnitsCompleted()));
  }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("ReaderNumWorkUnitsCompletedV2").Device(DEVICE_CPU), ReaderNumWorkUnitsCompletedOp);

class ReaderResetOp : public OpKernel {
 public:
  explicit ReaderResetOp(const KernelConstruction& c) : OpKernel(c, 0) {}
  void Compute(OpKernelContext* ctx) const override { LookupResource<ReaderBase>(ctx, 0)->Reset(); }
  bool IsExpensive() const override { return false; }
};
TG_REGISTER_KERNEL(Name("ReaderResetV2").Device(DEVICE_CPU), ReaderResetOp);

}  // namespace
}  // namespace tg
