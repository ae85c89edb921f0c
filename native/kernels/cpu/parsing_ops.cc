// Parsing kernels with TF's op signatures and error texts:
//   DecodeCSV(records: string, record_defaults: OUT_TYPE) -> output: OUT_TYPE
//     attrs OUT_TYPE (float, double, int32, int64, string), field_delim, use_quote_delim,
//     na_value, select_cols
//   DecodeRaw(bytes: string) -> output: out_type   (attrs out_type, little_endian)
//   StringToNumber(string_tensor: string) -> output: out_type (float, double, int32, int64)
//   StringSplit(input: string[n], delimiter: string scalar) -> indices int64 [m,2], values, shape int64 [2]
//   ParseExample(serialized, names, sparse_keys: Nsparse, dense_keys: Ndense, dense_defaults: Tdense)
//   ParseSingleExample(serialized, dense_defaults: Tdense) (attrs num_sparse, sparse_keys, dense_keys, ...)
//     -- dense FixedLenFeatures only (Nsparse / num_sparse must be 0).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "io/example_proto.h"
#include "runtime/kernel.h"

namespace tg {
namespace {

constexpr DeviceType kCPU = DeviceType::kCPU;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

std::string Strip(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) b++;
  while (e > b && IsSpace(s[e - 1])) e--;
  return s.substr(b, e - b);
}

// TF's safe_strto32/64: optional surrounding spaces and sign, decimal digits only.
template <typename T>
bool ParseInt(const std::string& text, T* out) {
  const std::string s = Strip(text);
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == s.size()) return false;
  // Accumulate as a negative number so that the minimum value fits.
  int64_t v = 0;
  const int64_t lo = neg ? static_cast<int64_t>(std::numeric_limits<T>::min()) : -static_cast<int64_t>(std::numeric_limits<T>::max());
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    const int d = s[i] - '0';
    if (v < (lo + d) / 10) return false;
    v = v * 10 - d;
    if (v < lo) return false;
  }
  *out = static_cast<T>(neg ? v : -v);
  return true;
}

// TF's safe_strtof/strtod (double-conversion with leading/trailing spaces, hex integers,
// case-insensitive "inf"/"nan"): the whole field must be one number; a space-only field is
// not. Strings of 32 bytes or more are rejected, as TF's buffer limit does.
template <typename T>
bool ParseReal(const std::string& text, T* out) {
  if (text.size() >= 32) return false;
  const std::string s = Strip(text);
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == s.size()) return false;
  std::string rest = s.substr(i);
  std::string lower = rest;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  T v;
  if (lower == "inf") {
    v = std::numeric_limits<T>::infinity();
  } else if (lower == "nan") {
    v = std::numeric_limits<T>::quiet_NaN();
  } else if (lower.size() > 2 && lower[0] == '0' && lower[1] == 'x') {
    double acc = 0;
    for (size_t k = 2; k < lower.size(); k++) {
      const char c = lower[k];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else return false;
      acc = acc * 16 + d;
    }
    v = static_cast<T>(acc);
  } else {
    size_t k = 0, digits = 0;
    while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) k++, digits++;
    if (k < rest.size() && rest[k] == '.') {
      k++;
      while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) k++, digits++;
    }
    if (digits == 0) return false;
    if (k < rest.size() && (rest[k] == 'e' || rest[k] == 'E')) {
      k++;
      if (k < rest.size() && (rest[k] == '+' || rest[k] == '-')) k++;
      size_t exp_digits = 0;
      while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) k++, exp_digits++;
      if (exp_digits == 0) return false;
    }
    if (k != rest.size()) return false;
    errno = 0;
    if constexpr (std::is_same<T, float>::value) {
      v = std::strtof(rest.c_str(), nullptr);
    } else {
      v = std::strtod(rest.c_str(), nullptr);
    }
  }
  *out = neg ? -v : v;
  return true;
}

template <typename T>
bool ParseNumber(const std::string& s, T* out) {
  if constexpr (std::is_floating_point<T>::value) {
    return ParseReal(s, out);
  } else {
    return ParseInt(s, out);
  }
}

// ---------------- DecodeCSV ----------------

class DecodeCSVOp : public OpKernel {
 public:
  explicit DecodeCSVOp(const KernelConstruction& c)
      : OpKernel(c),
        out_type_(c.node.AttrTypes("OUT_TYPE")),
        use_quote_delim_(c.node.AttrBool("use_quote_delim", true)),
        na_value_(c.node.AttrString("na_value", "")) {
    set_num_outputs(static_cast<int>(out_type_.size()));
    const std::string delim = c.node.AttrString("field_delim", ",");
    if (delim.size() != 1) throw InvalidArgument("field_delim should be only 1 char", c.node.name);
    delim_ = delim[0];
    if (const AttrValue* a = c.node.FindAttr("select_cols")) select_cols_ = a->list_i;
    if (!select_cols_.empty() && select_cols_.size() != out_type_.size()) {
      throw InvalidArgument("select_cols should match output size", c.node.name);
    }
    for (size_t i = 1; i < select_cols_.size(); i++) {
      if (select_cols_[i - 1] >= select_cols_[i]) throw InvalidArgument("select_cols should be strictly increasing indices", c.node.name);
    }
    if (!select_cols_.empty() && select_cols_.front() < 0) throw InvalidArgument("select_cols should be non-negative indices", c.node.name);
    for (size_t f = 0; f < out_type_.size(); f++) {
      const DataType t = out_type_[f];
      if (t != DataType::DT_FLOAT && t != DataType::DT_DOUBLE && t != DataType::DT_INT32 && t != DataType::DT_INT64 &&
          t != DataType::DT_STRING) {
        throw InvalidArgument("csv: data type " + DataTypeName(t) + " not supported in field " + std::to_string(f), c.node.name);
      }
    }
  }

  void Compute(OpKernelContext* ctx) const override {
    const size_t n_out = out_type_.size();
    if (static_cast<size_t>(ctx->num_inputs()) != n_out + 1) {
      throw ctx->InvalidArg("DecodeCSV expects " + std::to_string(n_out) + " record_defaults, got " +
                            std::to_string(ctx->num_inputs() - 1));
    }
    const Tensor& records = ctx->input(0);
    if (records.dtype() != DataType::DT_STRING) throw ctx->InvalidArg("records must be a string tensor");
    for (size_t f = 0; f < n_out; f++) {
      const Tensor& d = ctx->input(static_cast<int>(f) + 1);
      if (d.num_elements() >= 2) {
        throw ctx->InvalidArg("There should only be 1 default per field but field " + std::to_string(f) + " has " +
                              std::to_string(d.num_elements()));
      }
      if (d.dtype() != out_type_[f]) {
        throw ctx->InvalidArg("record_defaults[" + std::to_string(f) + "] has dtype " + DataTypeName(d.dtype()) +
                              " but OUT_TYPE says " + DataTypeName(out_type_[f]));
      }
    }
    std::vector<Tensor*> outs(n_out);
    for (size_t f = 0; f < n_out; f++) outs[f] = &ctx->allocate_output(static_cast<int>(f), out_type_[f], records.shape());

    const int64_t n = records.num_elements();
    std::vector<std::string> fields;
    int64_t i = 0;
    try {
      for (; i < n; i++) ParseRecord(ctx, records, i, outs, &fields);
    } catch (const Error& e) {
      // A record a reader produced in this step: name its file and line too.
      const std::string key = ctx->step()->KeyOf(records, i);
      if (key.empty()) throw;
      throw Error(e.code(), std::string(e.what()) + " (record " + key + ")", e.node());
    }
  }

 private:
  void ParseRecord(OpKernelContext* ctx, const Tensor& records, int64_t i, const std::vector<Tensor*>& outs,
                   std::vector<std::string>* fields_out) const {
    const size_t n_out = out_type_.size();
    std::vector<std::string>& fields = *fields_out;
    {
      fields.clear();
      ExtractFields(ctx, records.strings()[i], &fields);
      if (fields.size() != n_out) {
        throw ctx->InvalidArg("Expect " + std::to_string(n_out) + " fields but have " + std::to_string(fields.size()) +
                              " in record " + std::to_string(i));
      }
      for (size_t f = 0; f < n_out; f++) {
        const Tensor& dflt = ctx->input(static_cast<int>(f) + 1);
        const std::string& field = fields[f];
        const bool missing = field.empty() || field == na_value_;
        if (missing && dflt.num_elements() != 1) {
          throw ctx->InvalidArg("Field " + std::to_string(f) + " is required but missing in record " + std::to_string(i) + "!");
        }
        switch (out_type_[f]) {
          case DataType::DT_INT32: Convert<int32_t>(ctx, field, missing, dflt, outs[f], f, i, "int32"); break;
          case DataType::DT_INT64: Convert<int64_t>(ctx, field, missing, dflt, outs[f], f, i, "int64"); break;
          case DataType::DT_FLOAT: Convert<float>(ctx, field, missing, dflt, outs[f], f, i, "float"); break;
          case DataType::DT_DOUBLE: Convert<double>(ctx, field, missing, dflt, outs[f], f, i, "double"); break;
          default: outs[f]->strings()[i] = missing ? dflt.strings()[0] : field; break;
        }
      }
    }
  }

  template <typename T>
  static void Convert(OpKernelContext* ctx, const std::string& field, bool missing, const Tensor& dflt, Tensor* out, size_t f,
                      int64_t i, const char* type) {
    if (missing) {
      out->data<T>()[i] = dflt.data<T>()[0];
      return;
    }
    T v;
    if (!ParseNumber(field, &v)) {
      throw ctx->InvalidArg("Field " + std::to_string(f) + " in record " + std::to_string(i) + " is not a valid " + type + ": " +
                            field);
    }
    out->data<T>()[i] = v;
  }

  // TF's field splitter (RFC 4180 quoting when use_quote_delim), keeping only select_cols.
  void ExtractFields(OpKernelContext* ctx, const std::string& input, std::vector<std::string>* result) const {
    if (input.empty()) return;
    const bool all = select_cols_.empty();
    size_t idx = 0, parsed = 0, selector = 0;
    const size_t size = input.size();
    while (idx < size) {
      if (input[idx] == '\n' || input[idx] == '\r') {
        idx++;
        continue;
      }
      const bool include = all || select_cols_[selector] == static_cast<int64_t>(parsed);
      bool quoted = false;
      if (use_quote_delim_ && input[idx] == '"') {
        quoted = true;
        idx++;
      }
      std::string field;
      if (!quoted) {
        while (idx < size && input[idx] != delim_) {
          if ((use_quote_delim_ && input[idx] == '"') || input[idx] == '\n' || input[idx] == '\r') {
            throw ctx->InvalidArg("Unquoted fields cannot have quotes/CRLFs inside");
          }
          if (include) field += input[idx];
          idx++;
        }
        idx++;  // past the delimiter (or the end)
      } else {
        while (idx + 1 < size && (input[idx] != '"' || input[idx + 1] != delim_)) {
          if (input[idx] != '"') {
            if (include) field += input[idx];
            idx++;
          } else {
            if (input[idx + 1] != '"') throw ctx->InvalidArg("Quote inside a string has to be escaped by another quote");
            if (include) field += '"';
            idx += 2;
          }
        }
        if (!(idx < size && input[idx] == '"' && (idx == size - 1 || input[idx + 1] == delim_))) {
          throw ctx->InvalidArg("Quoted field has to end with quote followed by delim or end");
        }
        idx += 2;
      }
      parsed++;
      if (include) {
        result->push_back(std::move(field));
        if (!all && ++selector == select_cols_.size()) return;
      }
    }
    // A trailing delimiter ends with an empty last field.
    const bool include = all || select_cols_[selector] == static_cast<int64_t>(parsed);
    if (include && input[size - 1] == delim_) result->push_back(std::string());
  }

  std::vector<DataType> out_type_;
  char delim_ = ',';
  bool use_quote_delim_;
  std::string na_value_;
  std::vector<int64_t> select_cols_;
};
TG_REGISTER_KERNEL(Name("DecodeCSV").Device(DEVICE_CPU), DecodeCSVOp);

// ---------------- DecodeRaw ----------------

class DecodeRawOp : public OpKernel {
 public:
  explicit DecodeRawOp(const KernelConstruction& c)
      : OpKernel(c), out_type_(c.node.AttrType("out_type")), little_endian_(c.node.AttrBool("little_endian", true)) {
    if (DataTypeSize(out_type_) == 0 || out_type_ == DataType::DT_RESOURCE) {
      throw InvalidArgument("DecodeRaw does not support out_type " + DataTypeName(out_type_), c.node.name);
    }
  }
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    if (in.dtype() != DataType::DT_STRING) throw ctx->InvalidArg("bytes must be a string tensor");
    const size_t esize = DataTypeSize(out_type_);
    // Complex numbers swap each half separately.
    const size_t swap_unit = out_type_ == DataType::DT_COMPLEX64 ? 4 : esize;
    const int64_t n = in.num_elements();
    Shape shape = in.shape();
    if (n == 0) {
      shape.push_back(0);
      ctx->allocate_output(0, out_type_, shape);
      return;
    }
    const size_t str_size = in.strings()[0].size();
    if (str_size % esize != 0) {
      throw ctx->InvalidArg("Input to DecodeRaw has length " + std::to_string(str_size) + " that is not a multiple of " +
                            std::to_string(esize) + ", the size of " + DataTypeName(out_type_));
    }
    for (int64_t i = 0; i < n; i++) {
      if (in.strings()[i].size() != str_size) {
        throw ctx->InvalidArg("DecodeRaw requires input strings to all be the same size, but element " + std::to_string(i) +
                              " has size " + std::to_string(in.strings()[i].size()) + " != " + std::to_string(str_size));
      }
    }
    shape.push_back(static_cast<int64_t>(str_size / esize));
    Tensor& out = ctx->allocate_output(0, out_type_, shape);
    auto* dst = static_cast<char*>(out.raw());
    for (int64_t i = 0; i < n; i++) {
      const std::string& s = in.strings()[i];
      char* d = dst + i * str_size;
      if (str_size) std::memcpy(d, s.data(), str_size);
      if (!little_endian_ && swap_unit > 1) {  // hosts are little-endian
        for (size_t k = 0; k < str_size; k += swap_unit) std::reverse(d + k, d + k + swap_unit);
      }
    }
    if (out_type_ == DataType::DT_BOOL) {  // any nonzero byte is true
      for (size_t k = 0; k < n * str_size; k++) dst[k] = dst[k] != 0;
    }
  }

 private:
  DataType out_type_;
  bool little_endian_;
};
TG_REGISTER_KERNEL(Name("DecodeRaw").Device(DEVICE_CPU), DecodeRawOp);

// ---------------- StringToNumber ----------------

template <typename T>
class StringToNumberOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& in = ctx->input(0);
    if (in.dtype() != DataType::DT_STRING) throw ctx->InvalidArg("string_tensor must be a string tensor");
    Tensor& out = ctx->allocate_output(0, DataTypeOf<T>(), in.shape());
    for (int64_t i = 0; i < in.num_elements(); i++) {
      if (!ParseNumber(in.strings()[i], &out.data<T>()[i])) {
        throw ctx->InvalidArg("StringToNumberOp could not correctly convert string: " + in.strings()[i]);
      }
    }
  }
};

// ---------------- StringSplit ----------------

class StringSplitOp : public OpKernel {
 public:
  explicit StringSplitOp(const KernelConstruction& c) : OpKernel(c, 3), skip_empty_(c.node.AttrBool("skip_empty", true)) {}
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& input = ctx->input(0);
    const Tensor& delim = ctx->input(1);
    if (input.dims() != 1) throw ctx->InvalidArg("input must be a vector, got shape: " + ShapeString(input.shape()));
    if (delim.dims() != 0) throw ctx->InvalidArg("delimiter must be a scalar, got shape: " + ShapeString(delim.shape()));
    if (input.dtype() != DataType::DT_STRING || delim.dtype() != DataType::DT_STRING) throw ctx->InvalidArg("inputs must be strings");
    const std::string& d = delim.strings()[0];
    std::vector<std::pair<int64_t, std::string>> tokens;
    std::vector<int64_t> counts(input.num_elements(), 0);
    int64_t max_tokens = 0;
    for (int64_t i = 0; i < input.num_elements(); i++) {
      const std::string& s = input.strings()[i];
      std::vector<std::string> parts;
      if (d.empty()) {
        for (char ch : s) parts.emplace_back(1, ch);  // one byte each
      } else {
        size_t start = 0;
        while (true) {
          const size_t at = s.find_first_of(d, start);
          parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
          if (at == std::string::npos) break;
          start = at + 1;
        }
      }
      for (auto& p : parts) {
        if (skip_empty_ && p.empty()) continue;
        tokens.emplace_back(i, std::move(p));
        counts[i]++;
      }
      max_tokens = std::max(max_tokens, counts[i]);
    }
    const int64_t m = static_cast<int64_t>(tokens.size());
    Tensor& indices = ctx->allocate_output(0, DataType::DT_INT64, {m, 2});
    Tensor& values = ctx->allocate_output(1, DataType::DT_STRING, {m});
    Tensor& shape = ctx->allocate_output(2, DataType::DT_INT64, {2});
    int64_t col = 0;
    for (int64_t k = 0; k < m; k++) {
      if (k > 0 && tokens[k].first != tokens[k - 1].first) col = 0;
      indices.data<int64_t>()[2 * k] = tokens[k].first;
      indices.data<int64_t>()[2 * k + 1] = col++;
      values.strings()[k] = std::move(tokens[k].second);
    }
    shape.data<int64_t>()[0] = input.num_elements();
    shape.data<int64_t>()[1] = max_tokens;
  }

 private:
  bool skip_empty_;
};
TG_REGISTER_KERNEL(Name("StringSplit").Device(DEVICE_CPU), StringSplitOp);

// ---------------- ParseExample / ParseSingleExample (dense features) ----------------

struct DenseConfig {
  std::vector<DataType> types;
  std::vector<Shape> shapes;
};

DenseConfig ReadDenseConfig(const Node& node, size_t ndense) {
  DenseConfig c;
  // Empty lists may come without a kind; only their length matters then.
  const AttrValue* types = node.FindAttr("Tdense");
  const AttrValue* shapes_attr = node.FindAttr("dense_shapes");
  if (types) c.types = types->list_type;
  const std::vector<PartialShape> no_shapes;
  const std::vector<PartialShape>& shapes = shapes_attr ? shapes_attr->list_shape : no_shapes;
  if (c.types.size() != ndense || shapes.size() != ndense) {
    throw InvalidArgument("len(dense_keys) != len(dense_shapes) or len(Tdense)", node.name);
  }
  for (size_t d = 0; d < ndense; d++) {
    const DataType t = c.types[d];
    if (t != DataType::DT_FLOAT && t != DataType::DT_INT64 && t != DataType::DT_STRING) {
      throw InvalidArgument("Tdense[" + std::to_string(d) + "] must be float, int64 or string, got " + DataTypeName(t), node.name);
    }
    const PartialShape& ps = shapes[d];
    bool full = !ps.unknown_rank;
    for (int64_t x : ps.dims) full &= x >= 0;
    if (!full) {
      throw Error(Code::kUnimplemented,
                  "dense_shapes[" + std::to_string(d) + "] " + ps.ToString() +
                      ": only fully defined FixedLenFeature shapes are supported",
                  node.name);
    }
    c.shapes.push_back(ps.dims);
  }
  return c;
}

// Fills row `row` of `out` (row size = elements of the feature shape) from one Example.
// `where` prefixes the per-feature errors; `missing` is the "required" error text.
void FillDense(OpKernelContext* ctx, const std::map<std::string, ExampleFeature>& feats, const std::string& key, DataType type,
               const Shape& shape, const Tensor& dflt, Tensor* out, int64_t row, const std::string& where,
               const std::string& missing) {
  const int64_t per = NumElements(shape);
  auto it = feats.find(key);
  if (it == feats.end() || it->second.kind == ExampleFeature::kNone) {
    if (dflt.num_elements() == 0) throw ctx->InvalidArg(missing);
    if (dflt.dtype() != type || dflt.num_elements() != per) {
      throw ctx->InvalidArg("dense_defaults for key " + key + " must be a " + DataTypeName(type) + " tensor of shape " +
                            ShapeString(shape) + ", got " + dflt.DebugString());
    }
    if (type == DataType::DT_STRING) {
      for (int64_t k = 0; k < per; k++) out->strings()[row * per + k] = dflt.strings()[k];
    } else if (per > 0) {
      const size_t es = DataTypeSize(type);
      std::memcpy(static_cast<char*>(out->raw()) + row * per * es, dflt.raw(), per * es);
    }
    return;
  }
  const ExampleFeature& f = it->second;
  const DataType got = f.kind == ExampleFeature::kBytes ? DataType::DT_STRING
                       : f.kind == ExampleFeature::kFloat ? DataType::DT_FLOAT
                                                          : DataType::DT_INT64;
  if (got != type) {
    throw ctx->InvalidArg(where + "Data types don't match. Data type: " + DataTypeName(got) +
                          " but expected type: " + DataTypeName(type));
  }
  const size_t count = type == DataType::DT_STRING ? f.bytes.size() : type == DataType::DT_FLOAT ? f.floats.size() : f.int64s.size();
  if (static_cast<int64_t>(count) != per) {
    throw ctx->InvalidArg(where + "Number of " + DataTypeName(type) + " values != expected.  Values size: " + std::to_string(count) +
                          " but output shape: " + ShapeString(shape));
  }
  for (int64_t k = 0; k < per; k++) {
    if (type == DataType::DT_STRING) out->strings()[row * per + k] = f.bytes[k];
    else if (type == DataType::DT_FLOAT) out->data<float>()[row * per + k] = f.floats[k];
    else out->data<int64_t>()[row * per + k] = f.int64s[k];
  }
}

std::map<std::string, ExampleFeature> ParseOrThrow(OpKernelContext* ctx, const std::string& serialized) {
  std::map<std::string, ExampleFeature> feats;
  if (!ParseExampleProto(serialized, &feats)) {
    throw ctx->InvalidArg("Could not parse example input, value: '" + serialized + "'");
  }
  return feats;
}

class ParseExampleOp : public OpKernel {
 public:
  explicit ParseExampleOp(const KernelConstruction& c) : OpKernel(c) {
    nsparse_ = c.node.AttrInt("Nsparse", 0);
    ndense_ = c.node.AttrInt("Ndense", 0);
    if (nsparse_ != 0) {
      throw Error(Code::kUnimplemented, "ParseExample: sparse features (VarLenFeature) are not supported; Nsparse must be 0",
                  c.node.name);
    }
    config_ = ReadDenseConfig(c.node, static_cast<size_t>(ndense_));
    set_num_outputs(static_cast<int>(ndense_));
  }
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& serialized = ctx->input(0);
    const Tensor& names = ctx->input(1);
    if (serialized.dtype() != DataType::DT_STRING || serialized.dims() != 1) {
      throw ctx->InvalidArg("Expected serialized to be a vector, got shape: " + ShapeString(serialized.shape()));
    }
    const int64_t batch = serialized.num_elements();
    if (names.num_elements() > 0 && (names.dims() != 1 || names.num_elements() != batch)) {
      throw ctx->InvalidArg("Expected len(names) == len(serialized), but got: " + std::to_string(names.num_elements()) +
                            " vs. " + std::to_string(batch));
    }
    const int first_default = 2 + static_cast<int>(ndense_);
    std::vector<std::string> keys;
    for (int64_t d = 0; d < ndense_; d++) {
      const Tensor& k = ctx->input(2 + static_cast<int>(d));
      if (k.dtype() != DataType::DT_STRING || k.num_elements() != 1) throw ctx->InvalidArg("dense_keys must be string scalars");
      keys.push_back(k.strings()[0]);
    }
    std::vector<Tensor*> outs;
    for (int64_t d = 0; d < ndense_; d++) {
      Shape s{batch};
      s.insert(s.end(), config_.shapes[d].begin(), config_.shapes[d].end());
      outs.push_back(&ctx->allocate_output(static_cast<int>(d), config_.types[d], s));
    }
    for (int64_t i = 0; i < batch; i++) {
      const std::string name = names.num_elements() > 0 ? names.strings()[i] : "<unknown>";
      const auto feats = ParseOrThrow(ctx, serialized.strings()[i]);
      for (int64_t d = 0; d < ndense_; d++) {
        const std::string where = "Name: " + name + ", Key: " + keys[d] + ", Index: " + std::to_string(i) + ".  ";
        const std::string missing = "Name: " + name + ", Feature: " + keys[d] + " (data type: " +
                                    DataTypeName(config_.types[d]) + ") is required but could not be found.";
        FillDense(ctx, feats, keys[d], config_.types[d], config_.shapes[d], ctx->input(first_default + static_cast<int>(d)),
                  outs[d], i, where, missing);
      }
    }
  }

 private:
  int64_t nsparse_ = 0, ndense_ = 0;
  DenseConfig config_;
};
TG_REGISTER_KERNEL(Name("ParseExample").Device(DEVICE_CPU), ParseExampleOp);

class ParseSingleExampleOp : public OpKernel {
 public:
  explicit ParseSingleExampleOp(const KernelConstruction& c) : OpKernel(c) {
    if (c.node.AttrInt("num_sparse", 0) != 0) {
      throw Error(Code::kUnimplemented,
                  "ParseSingleExample: sparse features (VarLenFeature) are not supported; num_sparse must be 0", c.node.name);
    }
    keys_ = c.node.AttrStrings("dense_keys");
    config_ = ReadDenseConfig(c.node, keys_.size());
    set_num_outputs(static_cast<int>(keys_.size()));
  }
  void Compute(OpKernelContext* ctx) const override {
    const Tensor& serialized = ctx->input(0);
    if (serialized.dtype() != DataType::DT_STRING || serialized.dims() != 0) {
      throw ctx->InvalidArg("Expected serialized to be a scalar, got shape: " + ShapeString(serialized.shape()));
    }
    const auto feats = ParseOrThrow(ctx, serialized.strings()[0]);
    for (size_t d = 0; d < keys_.size(); d++) {
      Tensor& out = ctx->allocate_output(static_cast<int>(d), config_.types[d], config_.shapes[d]);
      const std::string missing = "Feature: " + keys_[d] + " (data type: " + DataTypeName(config_.types[d]) +
                                  ") is required but could not be found.";
      FillDense(ctx, feats, keys_[d], config_.types[d], config_.shapes[d], ctx->input(1 + static_cast<int>(d)), &out, 0,
                "Key: " + keys_[d] + ".  ", missing);
    }
  }

 private:
  std::vector<std::string> keys_;
  DenseConfig config_;
};
TG_REGISTER_KERNEL(Name("ParseSingleExample").Device(DEVICE_CPU), ParseSingleExampleOp);

struct RegisterStringToNumber {
  RegisterStringToNumber() { TG_REGISTER_KERNEL_FOR_TYPES(Name("StringToNumber").Device(DEVICE_CPU), "out_type", StringToNumberOp, float, double, int32_t, int64_t); }
} register_string_to_number;

}  // namespace
}  // namespace tg
