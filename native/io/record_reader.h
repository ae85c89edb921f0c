// Reading TFRecord files (also TensorBoard event files; record_writer.h writes them). Each record is
//   uint64 LE length | uint32 LE masked_crc32c(length bytes) | data | uint32 LE masked_crc32c(data)
// The reader checks the length's CRC before trusting the length, so corruption is a
// DataLoss error naming the record's offset, never a huge allocation or garbage.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "io/file_io.h"

namespace tg {

class RecordReader {
 public:
  static constexpr uint64_t kHeaderSize = 12;  // length + its CRC
  static constexpr uint64_t kFooterSize = 4;   // the data's CRC

  // Opens `path` (NotFound etc. name the file).
  explicit RecordReader(const std::string& path, Compression c = Compression::kNone);
  explicit RecordReader(std::unique_ptr<InputStream> stream);

  // Reads the record at *offset (must be the offset after the previous record, or the same
  // offset again after a failure) into *record and advances *offset. Returns false at the end
  // of the file (also for a partial header there, like TF). DataLoss naming the offset and
  // the file for corruption ("corrupted record at 21 in file /data/a.tfrecord"): the
  // stream is then reopened on the next call so the same record can be read again.
  bool ReadRecord(uint64_t* offset, std::string* record);

 private:
  void Reposition(uint64_t offset);
  // " in file <path>" for DataLoss messages (empty for in-memory streams).
  std::string InFile() const { return path_.empty() ? "" : " in file " + path_; }
  std::string path_;
  Compression compression_ = Compression::kNone;
  std::unique_ptr<InputStream> stream_;
  uint64_t pos_ = 0;  // bytes consumed from stream_
  bool failed_ = false;
};

}  // namespace tg
