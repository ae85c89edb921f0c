// Writing TFRecord files (framing in record_reader.h), optionally GZIP/ZLIB compressed.
#pragma once

#include <memory>
#include <string>

#include "io/file_io.h"

namespace tg {

class RecordWriter {
 public:
  RecordWriter(const std::string& path, Compression c = Compression::kNone, bool append = false);
  explicit RecordWriter(std::unique_ptr<OutputStream> out);
  ~RecordWriter();  // closes, ignoring errors (call Close to see them)
  void WriteRecord(const void* data, size_t n);
  void WriteRecord(const std::string& data) { WriteRecord(data.data(), data.size()); }
  void Flush();
  void Close();

  // The framed bytes of one record (uncompressed), for tests and in-memory writers.
  static std::string Frame(const std::string& data);

 private:
  std::unique_ptr<OutputStream> out_;
};

}  // namespace tg
