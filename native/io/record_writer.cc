#include "io/record_writer.h"

#include "io/crc32c.h"
#include "io/record_reader.h"

namespace tg {
namespace {

void EncodeFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void EncodeFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

}  // namespace

RecordWriter::RecordWriter(const std::string& path, Compression c, bool append) : out_(OpenOutputStream(path, c, append)) {}
RecordWriter::RecordWriter(std::unique_ptr<OutputStream> out) : out_(std::move(out)) {}
RecordWriter::~RecordWriter() {
  try {
    if (out_) out_->Close();
  } catch (...) {
  }
}

std::string RecordWriter::Frame(const std::string& data) {
  std::string out(RecordReader::kHeaderSize, '\0');
  EncodeFixed64(&out[0], data.size());
  EncodeFixed32(&out[8], crc32c::Mask(crc32c::Value(out.data(), 8)));
  out += data;
  char footer[4];
  EncodeFixed32(footer, crc32c::Mask(crc32c::Value(data.data(), data.size())));
  out.append(footer, 4);
  return out;
}

void RecordWriter::WriteRecord(const void* data, size_t n) {
  char header[RecordReader::kHeaderSize];
  EncodeFixed64(header, n);
  EncodeFixed32(header + 8, crc32c::Mask(crc32c::Value(header, 8)));
  char footer[4];
  EncodeFixed32(footer, crc32c::Mask(crc32c::Value(data, n)));
  out_->Append(header, sizeof header);
  out_->Append(data, n);
  out_->Append(footer, sizeof footer);
}

void RecordWriter::Flush() { out_->Flush(); }
void RecordWriter::Close() { out_->Close(); }

}  // namespace tg
