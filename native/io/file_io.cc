#include "io/file_io.h"

#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "runtime/status.h"

namespace tg {

void ThrowIOError(const std::string& context, int err) {
  Code code;
  switch (err) {
    case ENOENT: case ENAMETOOLONG: case ENXIO: case ENODEV: code = Code::kNotFound; break;
    case EACCES: case EPERM: case EROFS: code = Code::kPermissionDenied; break;
    case EEXIST: code = Code::kAlreadyExists; break;
    case EISDIR: case ENOTDIR: case EBUSY: case ENOTEMPTY: code = Code::kFailedPrecondition; break;
    case ENOSPC: case EMFILE: case ENFILE: case ENOMEM: code = Code::kResourceExhausted; break;
    case EFBIG: case EOVERFLOW: case ERANGE: code = Code::kOutOfRange; break;
    case EINVAL: code = Code::kInvalidArgument; break;
    default: code = Code::kUnknown;
  }
  throw Error(code, context + "; " + std::strerror(err));
}

Compression ParseCompression(const std::string& type) {
  if (type.empty()) return Compression::kNone;
  if (type == "ZLIB") return Compression::kZlib;
  if (type == "GZIP") return Compression::kGzip;
  throw InvalidArgument("Unsupported compression_type: " + type + " (expected \"\", \"ZLIB\" or \"GZIP\")");
}

// ---- input ----

size_t InputStream::Fill() {
  if (pos_ == buf_.size()) {
    buf_.resize(64 * 1024);
    buf_.resize(ReadRaw(&buf_[0], buf_.size()));
    pos_ = 0;
  }
  return Buffered();
}

size_t InputStream::Read(char* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    if (Buffered() == 0) {
      // Large reads bypass the buffer.
      if (n - got >= 64 * 1024) {
        const size_t r = ReadRaw(out + got, n - got);
        if (r == 0) break;
        got += r;
        continue;
      }
      if (Fill() == 0) break;
    }
    const size_t take = std::min(n - got, Buffered());
    std::memcpy(out + got, buf_.data() + pos_, take);
    pos_ += take;
    got += take;
  }
  return got;
}

size_t InputStream::ReadN(size_t n, std::string* out) {
  size_t got = 0;
  while (got < n) {
    const size_t chunk = std::min<size_t>(n - got, 1 << 20);
    const size_t old = out->size();
    out->resize(old + chunk);
    const size_t r = Read(&(*out)[old], chunk);
    out->resize(old + r);
    got += r;
    if (r < chunk) break;
  }
  return got;
}

size_t InputStream::Skip(size_t n) {
  char tmp[8192];
  size_t got = 0;
  while (got < n) {
    const size_t r = Read(tmp, std::min(sizeof tmp, n - got));
    if (r == 0) break;
    got += r;
  }
  return got;
}

bool InputStream::ReadLine(std::string* line) {
  line->clear();
  bool any = false;
  while (true) {
    if (Buffered() == 0 && Fill() == 0) break;
    any = true;
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', Buffered());
    if (nl) {
      const size_t len = static_cast<const char*>(nl) - start;
      line->append(start, len);
      pos_ += len + 1;
      break;
    }
    line->append(start, Buffered());
    pos_ = buf_.size();
  }
  if (!any) return false;
  if (!line->empty() && line->back() == '\r') line->pop_back();
  return true;
}

namespace {

class FileInputStream : public InputStream {
 public:
  FileInputStream(FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  ~FileInputStream() override { std::fclose(f_); }

 protected:
  size_t ReadRaw(char* buf, size_t n) override {
    const size_t r = std::fread(buf, 1, n, f_);
    if (r < n && std::ferror(f_)) ThrowIOError(path_, errno ? errno : EIO);
    return r;
  }

 private:
  FILE* f_;
  std::string path_;
};

class MemoryInputStream : public InputStream {
 public:
  explicit MemoryInputStream(std::string data) : data_(std::move(data)) {}

 protected:
  size_t ReadRaw(char* buf, size_t n) override {
    const size_t take = std::min(n, data_.size() - at_);
    std::memcpy(buf, data_.data() + at_, take);
    at_ += take;
    return take;
  }

 private:
  std::string data_;
  size_t at_ = 0;
};

}  // namespace

// Inflates another stream (several concatenated gzip members are read as one stream).
class ZlibInputStream : public InputStream {
 public:
  ZlibInputStream(std::unique_ptr<InputStream> src, Compression c, std::string what)
      : src_(std::move(src)), what_(std::move(what)) {
    std::memset(&z_, 0, sizeof z_);
    if (inflateInit2(&z_, c == Compression::kGzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) {
      throw Error(Code::kInternal, "zlib inflateInit2 failed");
    }
    in_.resize(64 * 1024);
  }
  ~ZlibInputStream() override { inflateEnd(&z_); }

 protected:
  size_t ReadRaw(char* buf, size_t n) override {
    z_.next_out = reinterpret_cast<Bytef*>(buf);
    z_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    const uInt want = z_.avail_out;
    while (z_.avail_out == want && !done_) {
      if (z_.avail_in == 0) {
        const size_t r = src_->Read(&in_[0], in_.size());
        if (r == 0) {
          done_ = true;  // a truncated stream ends here; record framing reports what is missing
          break;
        }
        z_.next_in = reinterpret_cast<Bytef*>(&in_[0]);
        z_.avail_in = static_cast<uInt>(r);
      }
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        inflateReset(&z_);  // another gzip member may follow
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        throw Error(Code::kDataLoss, "corrupted compressed data in " + what_ + (z_.msg ? std::string(": ") + z_.msg : ""));
      }
    }
    return want - z_.avail_out;
  }

 private:
  std::unique_ptr<InputStream> src_;
  std::string what_;
  z_stream z_;
  std::string in_;
  bool done_ = false;
};

std::unique_ptr<InputStream> OpenInputStream(const std::string& path, Compression c) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) ThrowIOError(path, errno);
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fclose(f);
    ThrowIOError(path, EISDIR);
  }
  std::unique_ptr<InputStream> s = std::make_unique<FileInputStream>(f, path);
  if (c != Compression::kNone) s = std::make_unique<ZlibInputStream>(std::move(s), c, path);
  return s;
}

std::unique_ptr<InputStream> StringInputStream(std::string data, Compression c) {
  std::unique_ptr<InputStream> s = std::make_unique<MemoryInputStream>(std::move(data));
  if (c != Compression::kNone) s = std::make_unique<ZlibInputStream>(std::move(s), c, "string");
  return s;
}

// ---- output ----

namespace {

class FileOutputStream : public OutputStream {
 public:
  FileOutputStream(FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  ~FileOutputStream() override {
    if (f_) std::fclose(f_);
  }
  void Append(const void* data, size_t n) override {
    if (!f_) throw Error(Code::kFailedPrecondition, "file " + path_ + " is closed");
    if (n && std::fwrite(data, 1, n, f_) != n) ThrowIOError(path_, errno ? errno : EIO);
  }
  void Flush() override {
    if (f_ && std::fflush(f_) != 0) ThrowIOError(path_, errno);
  }
  void Close() override {
    if (!f_) return;
    FILE* f = f_;
    f_ = nullptr;
    if (std::fclose(f) != 0) ThrowIOError(path_, errno);
  }

 private:
  FILE* f_;
  std::string path_;
};

class ZlibOutputStream : public OutputStream {
 public:
  ZlibOutputStream(std::unique_ptr<OutputStream> dst, Compression c) : dst_(std::move(dst)) {
    std::memset(&z_, 0, sizeof z_);
    if (deflateInit2(&z_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, c == Compression::kGzip ? 16 + MAX_WBITS : MAX_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      throw Error(Code::kInternal, "zlib deflateInit2 failed");
    }
  }
  ~ZlibOutputStream() override { deflateEnd(&z_); }
  void Append(const void* data, size_t n) override { Deflate(data, n, Z_NO_FLUSH); }
  void Flush() override {
    if (closed_) return;
    Deflate(nullptr, 0, Z_SYNC_FLUSH);
    dst_->Flush();
  }
  void Close() override {
    if (closed_) return;
    Deflate(nullptr, 0, Z_FINISH);
    closed_ = true;
    dst_->Close();
  }

 private:
  void Deflate(const void* data, size_t n, int flush) {
    if (closed_) throw Error(Code::kFailedPrecondition, "stream is closed");
    z_.next_in = static_cast<Bytef*>(const_cast<void*>(data));
    z_.avail_in = static_cast<uInt>(n);
    char out[64 * 1024];
    int rc;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(out);
      z_.avail_out = sizeof out;
      rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) throw Error(Code::kInternal, "zlib deflate failed");
      dst_->Append(out, sizeof out - z_.avail_out);
    } while (z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  }
  std::unique_ptr<OutputStream> dst_;
  z_stream z_;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<OutputStream> OpenOutputStream(const std::string& path, Compression c, bool append) {
  FILE* f = std::fopen(path.c_str(), append ? "ab" : "wb");
  if (!f) ThrowIOError(path, errno);
  std::unique_ptr<OutputStream> s = std::make_unique<FileOutputStream>(f, path);
  if (c != Compression::kNone) s = std::make_unique<ZlibOutputStream>(std::move(s), c);
  return s;
}

std::string ReadFileToString(const std::string& path) {
  auto s = OpenInputStream(path);
  std::string out;
  while (s->ReadN(1 << 20, &out) == (1u << 20)) {
  }
  return out;
}

void WriteStringToFileAtomic(const std::string& path, const std::string& contents) {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = path + ".tmp" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  try {
    auto out = OpenOutputStream(tmp);
    out->Append(contents.data(), contents.size());
    out->Close();
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    ThrowIOError(path, err);
  }
}

std::vector<std::string> MatchFiles(const std::string& pattern) {
  glob_t g;
  std::memset(&g, 0, sizeof g);
  const int rc = glob(pattern.c_str(), 0, nullptr, &g);
  std::vector<std::string> out;
  if (rc == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  if (rc == GLOB_NOSPACE) throw Error(Code::kResourceExhausted, "out of memory matching " + pattern);
  std::sort(out.begin(), out.end());  // bytewise, independent of the locale
  return out;
}

}  // namespace tg
