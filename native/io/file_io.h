// Plain file access for readers and file ops: byte streams over files (optionally through
// zlib: GZIP or ZLIB framing), whole-file reads, atomic writes and glob matching. Failures
// are tg::Error with TF's codes ("<file>; No such file or directory" is NotFound).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace tg {

// The Error TF's posix file system raises for errno `err` on `context` (a file name).
[[noreturn]] void ThrowIOError(const std::string& context, int err);

enum class Compression { kNone, kZlib, kGzip };
// "" / "ZLIB" / "GZIP"; anything else is InvalidArgument.
Compression ParseCompression(const std::string& type);

// A sequential byte source.
class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to n bytes into buf; returns how many (0 only at end of stream).
  size_t Read(char* buf, size_t n);
  // Appends up to n bytes to *out; returns how many were read (fewer only at end). Grows
  // *out as data arrives, so a corrupt length never causes a huge allocation.
  size_t ReadN(size_t n, std::string* out);
  // Skips up to n bytes; returns how many were skipped.
  size_t Skip(size_t n);
  // The next line without "\n" / "\r\n"; false at end of stream (a last line needs no "\n").
  bool ReadLine(std::string* line);

 protected:
  // A small look-ahead buffer used by ReadLine and the buffered helpers.
  size_t Fill();
  std::string buf_;
  size_t pos_ = 0;
  size_t Buffered() const { return buf_.size() - pos_; }
  virtual size_t ReadRaw(char* buf, size_t n) = 0;
};

// Opens `path` for reading, decompressing when asked. NotFound etc. name the file.
std::unique_ptr<InputStream> OpenInputStream(const std::string& path, Compression c = Compression::kNone);
// An in-memory stream (tests, decompressing a string).
std::unique_ptr<InputStream> StringInputStream(std::string data, Compression c = Compression::kNone);

// A sequential byte sink (optionally compressing). Close() flushes and reports errors.
class OutputStream {
 public:
  virtual ~OutputStream() = default;
  virtual void Append(const void* data, size_t n) = 0;
  virtual void Flush() = 0;
  virtual void Close() = 0;
};
std::unique_ptr<OutputStream> OpenOutputStream(const std::string& path, Compression c = Compression::kNone,
                                               bool append = false);

std::string ReadFileToString(const std::string& path);
// Writes to a temporary file next to `path`, then renames it over `path` (readers never see
// a partial file).
void WriteStringToFileAtomic(const std::string& path, const std::string& contents);
// The files matching a glob pattern (*, ?, [..] in any path component), sorted; none -> {}.
std::vector<std::string> MatchFiles(const std::string& pattern);

}  // namespace tg
