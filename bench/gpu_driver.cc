// Trains the graphs of bench/train.ts without Node.js (machines that lend a GPU have none):
//   tg_gpu_driver [--device gpu|cpu] [--seconds S | --steps N] [--warmup W] [--threads T]
//                 [--sync every|end] [--placement] DIR/NAME...
// DIR/NAME.graph is a GraphDef written by tools/export-bench-graphs.ts, DIR/NAME.json its
// sidecar (feeds, train op, loss, init op). Per config: init, W warm-up steps, then timed
// steps (for S seconds, or exactly N), each one sess.run of the train op fed one of 4
// pre-built host batches (as bench/train.ts). --sync end (default): steps are not waited
// for one by one; the last one also fetches the loss, and the clock stops when the GPU has
// finished all of them.
// --sync every: each step also fetches the loss (a device-to-host copy waits for the step).
// bench/peers/gpu_torch.py times PyTorch the same way. Prints one JSON line per config
// (steps/s, ms/step, loss before and after); --placement lists nodes not on the GPU.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/device.h"
#include "runtime/gpu_platform.h"
#include "runtime/session.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace {

// ---------- a minimal JSON reader (the sidecar is ours: objects, arrays, strings, numbers) ----------

struct Json {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  double number = 0;
  bool boolean = false;
  std::string str;
  std::vector<Json> items;
  std::map<std::string, Json> fields;

  const Json& operator[](const std::string& key) const {
    auto it = fields.find(key);
    if (kind != kObject || it == fields.end()) throw std::runtime_error("sidecar: missing field '" + key + "'");
    return it->second;
  }
  bool has(const std::string& key) const { return kind == kObject && fields.count(key) > 0; }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : s_(text) {}
  Json Parse() {
    Json v = Value();
    Space();
    if (i_ != s_.size()) Fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) {
    throw std::runtime_error("sidecar JSON: " + what + " at offset " + std::to_string(i_));
  }
  void Space() {
    while (i_ < s_.size() && std::strchr(" \t\r\n", s_[i_])) i_++;
  }
  bool Eat(char c) {
    Space();
    if (i_ < s_.size() && s_[i_] == c) {
      i_++;
      return true;
    }
    return false;
  }
  void Expect(char c) {
    if (!Eat(c)) Fail(std::string("expected '") + c + "'");
  }
  std::string String() {
    Expect('"');
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) Fail("bad escape");
        char e = s_[i_++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'u': Fail("\\u escapes are not supported");
          default: out += e;  // \" \\ \/
        }
      } else {
        out += c;
      }
    }
    Expect('"');
    return out;
  }
  Json Value() {
    Space();
    if (i_ >= s_.size()) Fail("unexpected end");
    Json v;
    char c = s_[i_];
    if (c == '{') {
      i_++;
      v.kind = Json::kObject;
      if (Eat('}')) return v;
      do {
        std::string key = String();
        Expect(':');
        v.fields[key] = Value();
      } while (Eat(','));
      Expect('}');
    } else if (c == '[') {
      i_++;
      v.kind = Json::kArray;
      if (Eat(']')) return v;
      do v.items.push_back(Value());
      while (Eat(','));
      Expect(']');
    } else if (c == '"') {
      v.kind = Json::kString;
      v.str = String();
    } else if (s_.compare(i_, 4, "true") == 0 || s_.compare(i_, 5, "false") == 0) {
      v.kind = Json::kBool;
      v.boolean = s_[i_] == 't';
      i_ += v.boolean ? 4 : 5;
    } else if (s_.compare(i_, 4, "null") == 0) {
      i_ += 4;
    } else {
      char* end = nullptr;
      v.kind = Json::kNumber;
      v.number = std::strtod(s_.c_str() + i_, &end);
      if (end == s_.c_str() + i_) Fail("bad value");
      i_ = static_cast<size_t>(end - s_.c_str());
    }
    return v;
  }

  const std::string& s_;
  size_t i_ = 0;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) out += ' ';  // messages: keep one line
    else out += c;
  }
  return out + "\"";
}

// ---------- options ----------

struct Options {
  bool gpu = true;
  double seconds = 3;
  long steps = 0;    // > 0: exactly this many timed steps instead of --seconds
  long warmup = -1;  // -1: the sidecar's (bench/train.ts's defaults)
  int threads = 0;   // intra- and inter-op threads; 0: all cores
  bool sync_every = false;
  bool placement = false;
  long parity = 0;  // > 0: train this many steps on the CPU and on the GPU and compare the losses
  std::vector<std::string> configs;
};

[[noreturn]] void Usage() {
  std::fprintf(stderr,
               "usage: tg_gpu_driver [--device gpu|cpu] [--seconds S | --steps N] [--warmup W] [--threads T]\n"
               "                     [--sync every|end] [--placement] [--parity STEPS] DIR/NAME...\n"
               "  DIR/NAME.graph + DIR/NAME.json from tools/export-bench-graphs.ts\n");
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Usage();
      return argv[++i];
    };
    if (a == "--device") {
      std::string d = next();
      if (d != "gpu" && d != "cpu") Usage();
      o.gpu = d == "gpu";
    } else if (a == "--seconds") {
      o.seconds = std::atof(next().c_str());
    } else if (a == "--steps") {
      o.steps = std::atol(next().c_str());
    } else if (a == "--warmup") {
      o.warmup = std::atol(next().c_str());
    } else if (a == "--threads") {
      o.threads = std::atoi(next().c_str());
    } else if (a == "--sync") {
      std::string s = next();
      if (s != "every" && s != "end") Usage();
      o.sync_every = s == "every";
    } else if (a == "--placement") {
      o.placement = true;
    } else if (a == "--parity") {
      o.parity = std::atol(next().c_str());
    } else if (a.rfind("--", 0) == 0) {
      Usage();
    } else {
      o.configs.push_back(a);
    }
  }
  if (o.configs.empty()) Usage();
  return o;
}

// ---------- one config ----------

struct Feed {
  std::string name;
  tg::DataType dtype;
  tg::Shape shape;
  int max = 10;  // int32 feeds: class indices in [0, max)
};

// 4 pre-built batches per feed, rotated over (bench/train.ts's N_BATCHES): pixels uniform in
// [0, 1), labels uniform in 0..max-1.
constexpr int kBatches = 4;

std::vector<std::vector<tg::Tensor>> MakeBatches(const std::vector<Feed>& feeds) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<float> unit(0.f, 1.f);
  std::vector<std::vector<tg::Tensor>> batches(kBatches);
  for (auto& batch : batches) {
    for (const Feed& f : feeds) {
      tg::Tensor t(f.dtype, f.shape);
      if (f.dtype == tg::DataType::DT_FLOAT) {
        for (int64_t i = 0; i < t.num_elements(); i++) t.data<float>()[i] = unit(rng);
      } else {
        std::uniform_int_distribution<int32_t> label(0, f.max - 1);
        for (int64_t i = 0; i < t.num_elements(); i++) t.data<int32_t>()[i] = label(rng);
      }
      batch.push_back(t);
    }
  }
  return batches;
}

void SyncDevices(tg::Session& sess) {
  for (const auto& d : sess.devices().devices()) d->Synchronize();
}

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The feeds a sidecar lists.
std::vector<Feed> FeedsOf(const Json& side) {
  std::vector<Feed> feeds;
  for (const Json& f : side["feeds"].items) {
    Feed feed;
    feed.name = f["name"].str;
    const std::string& dt = f["dtype"].str;
    if (dt == "float32") feed.dtype = tg::DataType::DT_FLOAT;
    else if (dt == "int32") feed.dtype = tg::DataType::DT_INT32;
    else throw std::runtime_error("feed " + feed.name + ": unsupported dtype " + dt);
    for (const Json& d : f["shape"].items) feed.shape.push_back(static_cast<int64_t>(d.number));
    if (f.has("max")) feed.max = static_cast<int>(f["max"].number);
    feeds.push_back(feed);
  }
  return feeds;
}

// Runs one config and returns its JSON line.
std::string RunConfig(const Options& o, const std::string& prefix) {
  const Json side = JsonParser(ReadFile(prefix + ".json")).Parse();
  const std::string graph = ReadFile(prefix + ".graph");
  const std::vector<Feed> feeds = FeedsOf(side);
  const std::string train_op = side["train_op"].str, loss = side["loss"].str, init_op = side["init_op"].str;
  const long warmup = o.warmup >= 0 ? o.warmup : static_cast<long>(side["warmup"].number);

  tg::SessionOptions so;
  so.num_gpus = o.gpu ? 1 : 0;
  so.inter_op_threads = o.threads;
  so.intra_op_threads = o.threads;
  so.allow_soft_placement = true;  // an op without a GPU kernel falls back to the CPU (reported)
  so.log_device_placement = true;  // collected below, not printed
  tg::Session sess(so);
  if (o.gpu && !sess.devices().gpu0()) {
    std::string why;
    tg::GpuPlatform* platform = tg::GetGpuPlatform(&why);
    if (platform && why.empty()) why = "the platform has " + std::to_string(platform->PhysicalDeviceCount()) + " GPU(s)";
    throw std::runtime_error("no GPU device in the session: " + why);
  }
  sess.Extend(reinterpret_cast<const uint8_t*>(graph.data()), graph.size());

  tg::RunOptions ro;
  sess.Run({}, {}, {}, {init_op}, ro);
  std::vector<std::string> feed_names;
  for (const Feed& f : feeds) feed_names.push_back(f.name);
  const int64_t step = sess.MakeCallable(feed_names, {}, {train_op});
  const int64_t step_loss = sess.MakeCallable(feed_names, {loss}, {train_op});
  const int64_t eval_loss = sess.MakeCallable(feed_names, {loss}, {});

  // Where the nodes went (a node on the CPU in a GPU run is worth knowing).
  std::map<std::string, int> per_device;
  std::vector<std::string> off_gpu;
  for (const std::string& line : sess.TakePlacementLog()) {
    size_t colon = line.rfind(": ");
    std::string dev = colon == std::string::npos ? line : line.substr(colon + 2);
    std::string kind = dev.find("GPU") != std::string::npos ? "gpu" : "cpu";
    per_device[kind]++;
    if (o.gpu && kind == "cpu") off_gpu.push_back(line.substr(0, colon));
  }
  if (o.placement && !off_gpu.empty()) {
    std::fprintf(stderr, "%s: %zu node(s) not on the GPU:", prefix.c_str(), off_gpu.size());
    for (const auto& n : off_gpu) std::fprintf(stderr, " %s", n.c_str());
    std::fprintf(stderr, "\n");
  }

  const auto batches = MakeBatches(feeds);
  auto loss_of = [&](int64_t handle, long i) {
    std::vector<tg::Tensor> out = sess.RunCallable(handle, batches[i % kBatches], ro);
    return static_cast<double>(out.at(0).data<float>()[0]);  // fetched tensors are on the host
  };
  const double loss_start = loss_of(eval_loss, 0);
  auto run_step = [&](long i) {
    if (o.sync_every) loss_of(step_loss, i);
    else sess.RunCallable(step, batches[i % kBatches], ro);
  };

  for (long i = 0; i < warmup; i++) run_step(i);
  loss_of(eval_loss, 0);  // waits for the warm-up's GPU work (a fetch copies after it)
  SyncDevices(sess);
  long n = 0;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    if (o.steps == 1) break;
    run_step(n);
    n++;
    if (o.steps > 0 ? n >= o.steps - 1 : Seconds(start, std::chrono::steady_clock::now()) >= o.seconds) break;
  }
  // The last step fetches the loss: its device-to-host copy waits for all queued GPU work
  // (one stream), so the clock includes it even if Synchronize were a no-op.
  loss_of(step_loss, n);
  n++;
  SyncDevices(sess);
  const double elapsed = Seconds(start, std::chrono::steady_clock::now());
  const double loss_end = loss_of(eval_loss, 0);
  sess.Close();

  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\"config\":%s,\"framework\":\"tensorgraph\",\"device\":\"%s\",\"batch\":%ld,\"sync\":\"%s\","
                "\"warmup\":%ld,\"steps\":%ld,\"seconds\":%.4f,\"steps_per_s\":%.3f,\"ms_per_step\":%.4f,"
                "\"loss_start\":%.6g,\"loss_end\":%.6g,\"nodes_gpu\":%d,\"nodes_cpu\":%d}",
                JsonString(side["config"].str).c_str(), o.gpu ? "gpu" : "cpu",
                static_cast<long>(side["batch"].number),
                o.sync_every ? "every" : "end", warmup, n, elapsed, n / elapsed, 1000 * elapsed / n, loss_start,
                loss_end, per_device["gpu"], per_device["cpu"]);
  return buf;
}

// The same training steps (same seeds, same batches) on the CPU and on the GPU: the loss of
// every step on both, and the largest relative difference. Gradients, optimizer updates
// and the copies between devices all feed into it, so it checks the whole GPU path.
std::string RunParity(const Options& o, const std::string& prefix) {
  const Json side = JsonParser(ReadFile(prefix + ".json")).Parse();
  const std::string graph = ReadFile(prefix + ".graph");
  const std::vector<Feed> feeds = FeedsOf(side);
  std::vector<std::string> feed_names;
  for (const Feed& f : feeds) feed_names.push_back(f.name);
  const auto batches = MakeBatches(feeds);
  auto trajectory = [&](bool gpu) {
    tg::SessionOptions so;
    so.num_gpus = gpu ? 1 : 0;
    tg::Session sess(so);
    if (gpu && !sess.devices().gpu0()) throw std::runtime_error("no GPU device in the session");
    sess.Extend(reinterpret_cast<const uint8_t*>(graph.data()), graph.size());
    tg::RunOptions ro;
    sess.Run({}, {}, {}, {side["init_op"].str}, ro);
    const int64_t h = sess.MakeCallable(feed_names, {side["loss"].str}, {side["train_op"].str});
    std::vector<double> losses;
    for (long i = 0; i < o.parity; i++) losses.push_back(sess.RunCallable(h, batches[i % kBatches], ro).at(0).data<float>()[0]);
    return losses;
  };
  const std::vector<double> cpu = trajectory(false), gpu = trajectory(true);
  double worst = 0;
  for (size_t i = 0; i < cpu.size(); i++) worst = std::max(worst, std::fabs(gpu[i] - cpu[i]) / std::max(1e-6, std::fabs(cpu[i])));
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "{\"config\":%s,\"parity_steps\":%ld,\"loss_cpu_first\":%.6g,\"loss_gpu_first\":%.6g,"
                "\"loss_cpu_last\":%.6g,\"loss_gpu_last\":%.6g,\"max_rel_diff\":%.3g}",
                JsonString(side["config"].str).c_str(), o.parity, cpu.front(), gpu.front(), cpu.back(), gpu.back(), worst);
  return buf;
}

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  int failures = 0;
  for (const std::string& prefix : o.configs) {
    std::string line;
    try {
      line = o.parity > 0 ? RunParity(o, prefix) : RunConfig(o, prefix);
    } catch (const std::exception& e) {
      // One failing config (a missing GPU kernel, say) must not hide the others' numbers.
      failures++;
      line = "{\"config\":" + JsonString(Basename(prefix)) + ",\"framework\":\"tensorgraph\",\"device\":\"" +
             (o.gpu ? "gpu" : "cpu") + "\",\"error\":" + JsonString(e.what()) + "}";
    }
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  return failures == 0 ? 0 : 1;
}
