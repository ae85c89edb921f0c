#include "io/record_reader.h"

#include <cstring>

#include "io/crc32c.h"
#include "runtime/status.h"

namespace tg {
namespace {

uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint32_t DecodeFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; i--) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// TF adds a hint when the very first record is bad.
std::string Suffix(uint64_t offset) { return offset == 0 ? " (Is this even a TFRecord file?)" : ""; }

}  // namespace

RecordReader::RecordReader(const std::string& path, Compression c)
    : path_(path), compression_(c), stream_(OpenInputStream(path, c)) {}

RecordReader::RecordReader(std::unique_ptr<InputStream> stream) : stream_(std::move(stream)) {}

void RecordReader::Reposition(uint64_t offset) {
  if (pos_ > offset || (pos_ == offset && failed_)) {
    if (path_.empty()) throw Error(Code::kFailedPrecondition, "cannot re-read an in-memory record stream");
    stream_ = OpenInputStream(path_, compression_);
    pos_ = 0;
  }
  failed_ = false;
  if (pos_ < offset) pos_ += stream_->Skip(offset - pos_);
}

bool RecordReader::ReadRecord(uint64_t* offset, std::string* record) {
  Reposition(*offset);
  const uint64_t start = *offset;
  std::string header;
  const size_t h = stream_->ReadN(kHeaderSize, &header);
  pos_ += h;
  if (h < kHeaderSize) {
    failed_ = h > 0;
    return false;  // a partial header at the end is the end of the file (TF's ReadNBytes)
  }
  if (crc32c::Unmask(DecodeFixed32(header.data() + 8)) != crc32c::Value(header.data(), 8)) {
    failed_ = true;
    throw Error(Code::kDataLoss, "corrupted record at " + std::to_string(start) + Suffix(start) + InFile());
  }
  const uint64_t length = DecodeFixed64(header.data());
  if (length >= UINT64_MAX - kFooterSize - kHeaderSize - start) {
    failed_ = true;
    throw Error(Code::kDataLoss, "record size too large" + Suffix(start) + InFile());
  }
  record->clear();
  // ReadN grows the string as data arrives: a large (valid-CRC) length on a short file costs nothing.
  const size_t d = stream_->ReadN(length + kFooterSize, record);
  pos_ += d;
  if (d < length + kFooterSize) {
    failed_ = true;
    record->clear();
    throw Error(Code::kDataLoss, "truncated record at " + std::to_string(start) + InFile());
  }
  if (crc32c::Unmask(DecodeFixed32(record->data() + length)) != crc32c::Value(record->data(), length)) {
    failed_ = true;
    record->clear();
    throw Error(Code::kDataLoss, "corrupted record at " + std::to_string(start + kHeaderSize) + InFile());
  }
  record->resize(length);
  *offset = start + kHeaderSize + length + kFooterSize;
  return true;
}

}  // namespace tg
