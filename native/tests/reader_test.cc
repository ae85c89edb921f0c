// TFRecord framing, reader resources and file ops, against hand-computed expectations.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "io/crc32c.h"
#include "io/file_io.h"
#include "io/record_reader.h"
#include "io/record_writer.h"
#include "io_test_util.h"

namespace tg {
namespace {

using namespace testutil;

std::string ReadAll(const std::string& path) { return ReadFileToString(path); }

// Runs a reader op + read op pair against a fake queue in one ResourceMgr.
struct ReaderFixture {
  ResourceMgr rm;
  std::shared_ptr<FakeQueue> queue = std::make_shared<FakeQueue>();
  std::unique_ptr<KernelRunner> reader_op, read, read_up_to, produced, completed, reset;
  Tensor reader_handle, queue_handle;

  ReaderFixture(const std::string& op, std::map<std::string, AttrValue> attrs) {
    reader_op = std::make_unique<KernelRunner>(op, std::move(attrs), "reader");
    reader_handle = reader_op->Run({}, &rm)[0];
    rm.LookupOrCreate<FakeQueue>("", "q", [&] { return queue; });
    queue_handle = MakeResourceHandle("", "q");
    read = std::make_unique<KernelRunner>("ReaderReadV2", std::map<std::string, AttrValue>{}, "read");
    read_up_to = std::make_unique<KernelRunner>("ReaderReadUpToV2", std::map<std::string, AttrValue>{}, "read_up_to");
    produced = std::make_unique<KernelRunner>("ReaderNumRecordsProducedV2", std::map<std::string, AttrValue>{});
    completed = std::make_unique<KernelRunner>("ReaderNumWorkUnitsCompletedV2", std::map<std::string, AttrValue>{});
    reset = std::make_unique<KernelRunner>("ReaderResetV2", std::map<std::string, AttrValue>{});
  }
  std::pair<std::string, std::string> Read() {
    auto out = read->Run({reader_handle, queue_handle}, &rm);
    return {out[0].strings()[0], out[1].strings()[0]};
  }
  std::pair<std::vector<std::string>, std::vector<std::string>> ReadUpTo(int64_t n) {
    Tensor num(DataType::DT_INT64, {});
    num.data<int64_t>()[0] = n;
    auto out = read_up_to->Run({reader_handle, queue_handle, num}, &rm);
    return {StrValues(out[0]), StrValues(out[1])};
  }
  int64_t Produced() { return produced->Run({reader_handle}, &rm)[0].data<int64_t>()[0]; }
  int64_t Completed() { return completed->Run({reader_handle}, &rm)[0].data<int64_t>()[0]; }
};

template <typename Fn>
Error ExpectError(Fn fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an Error";
  return Error(Code::kOk, "");
}

std::string ThreeRecords() {
  return RecordWriter::Frame("hello") + RecordWriter::Frame("") + RecordWriter::Frame("world!!");
}

TEST(Record, Crc32cAndMask) {
  EXPECT_EQ(crc32c::Value("123456789", 9), 0xE3069283u);
  EXPECT_EQ(crc32c::Mask(0), 0xa282ead8u);
  // ((c >> 15) | (c << 17)) + delta for c = 0x00008000: rotates to 0x00000001.
  EXPECT_EQ(crc32c::Mask(0x00008000u), 0xa282ead9u);
  EXPECT_EQ(crc32c::Unmask(crc32c::Mask(0xE3069283u)), 0xE3069283u);
}

TEST(Record, FramingLayout) {
  const std::string r = RecordWriter::Frame("hello");
  ASSERT_EQ(r.size(), 21u);
  EXPECT_EQ(r.substr(0, 8), std::string("\x05\0\0\0\0\0\0\0", 8));
  uint32_t len_crc, data_crc;
  std::memcpy(&len_crc, r.data() + 8, 4);
  std::memcpy(&data_crc, r.data() + 17, 4);
  EXPECT_EQ(crc32c::Unmask(len_crc), crc32c::Value(r.data(), 8));
  EXPECT_EQ(crc32c::Unmask(data_crc), crc32c::Value("hello", 5));
  EXPECT_EQ(r.substr(12, 5), "hello");
  EXPECT_EQ(ThreeRecords().size(), 60u);  // 21 + 16 + 23
}

TEST(Record, WriterAndReaderRoundTripPlainAndCompressed) {
  for (const char* type : {"", "ZLIB", "GZIP"}) {
    const std::string path = TempDir("r.tfrecord");
    {
      RecordWriter w(path, ParseCompression(type));
      w.WriteRecord("hello");
      w.WriteRecord("");
      w.WriteRecord("world!!");
      w.Close();
    }
    if (std::string(type).empty()) {
      EXPECT_EQ(ReadAll(path), ThreeRecords());
    }
    if (std::string(type) == "GZIP") {
      const std::string raw = ReadAll(path);
      ASSERT_GE(raw.size(), 2u);
      EXPECT_EQ(static_cast<uint8_t>(raw[0]), 0x1f);  // gzip magic
      EXPECT_EQ(static_cast<uint8_t>(raw[1]), 0x8b);
    }
    RecordReader r(path, ParseCompression(type));
    uint64_t off = 0;
    std::string rec;
    std::vector<std::pair<uint64_t, std::string>> got;
    uint64_t at = off;
    while (r.ReadRecord(&off, &rec)) {
      got.push_back({at, rec});
      at = off;
    }
    ASSERT_EQ(got.size(), 3u) << type;
    EXPECT_EQ(got[0], (std::pair<uint64_t, std::string>{0, "hello"}));
    EXPECT_EQ(got[1], (std::pair<uint64_t, std::string>{21, ""}));
    EXPECT_EQ(got[2], (std::pair<uint64_t, std::string>{37, "world!!"}));
  }
}

TEST(Reader, TFRecordKeysAreByteOffsets) {
  const std::string path = TempDir("a.tfrecord");
  WriteRaw(path, ThreeRecords());
  ReaderFixture f("TFRecordReaderV2", {{"compression_type", AStr("")}});
  f.queue->Add(path);
  f.queue->Close();
  EXPECT_EQ(f.Read(), (std::pair<std::string, std::string>{path + ":0", "hello"}));
  EXPECT_EQ(f.Read(), (std::pair<std::string, std::string>{path + ":21", ""}));
  EXPECT_EQ(f.Read(), (std::pair<std::string, std::string>{path + ":37", "world!!"}));
  Error e = ExpectError([&] { f.Read(); });
  EXPECT_EQ(e.code(), Code::kOutOfRange);
  EXPECT_EQ(std::string(e.what()), FakeQueue::ClosedError().what());  // the queue's error, unchanged
  EXPECT_EQ(f.Produced(), 3);
  EXPECT_EQ(f.Completed(), 1);
}

// Reads `data` as a TFRecord file (at CorruptPath()) through the reader op; returns the
// records read before the error (or end) and the error.
const std::string& CorruptPath() {
  static const std::string path = TempDir("c.tfrecord");
  return path;
}
std::pair<std::vector<std::string>, Status> ReadCorrupt(const std::string& data, int extra_reads = 0) {
  const std::string path = CorruptPath();
  WriteRaw(path, data);
  ReaderFixture f("TFRecordReaderV2", {});
  f.queue->Add(path);
  f.queue->Close();
  std::vector<std::string> keys;
  Status st;
  while (true) {
    try {
      keys.push_back(f.Read().first.substr(path.size()));
    } catch (const Error& e) {
      st = e;
      break;
    }
  }
  for (int i = 0; i < extra_reads; i++) {  // the reader stays on the bad record
    Error again = ExpectError([&] { f.Read(); });
    EXPECT_EQ(std::string(again.what()), std::string(st.error().what()));
  }
  return {keys, st};
}

TEST(Reader, TFRecordCorruptionIsDataLossAtTheRightOffset) {
  const std::string good = ThreeRecords();
  {  // a length byte of record 1 (offset 21)
    std::string d = good;
    d[21] ^= 0x01;
    auto [keys, st] = ReadCorrupt(d, 2);
    EXPECT_EQ(keys, (std::vector<std::string>{":0"}));
    EXPECT_EQ(st.code(), Code::kDataLoss);
    EXPECT_EQ(std::string(st.error().what()), "corrupted record at 21 in file " + CorruptPath());
    EXPECT_EQ(st.error().node(), "read");
  }
  {  // record 0's length: TF's hint
    std::string d = good;
    d[0] = 'X';
    auto [keys, st] = ReadCorrupt(d);
    EXPECT_TRUE(keys.empty());
    EXPECT_EQ(std::string(st.error().what()), "corrupted record at 0 (Is this even a TFRecord file?) in file " + CorruptPath());
  }
  {  // a huge length whose CRC byte is also damaged: no allocation, DataLoss
    std::string d = good;
    d[7] = '\x7f';
    auto [keys, st] = ReadCorrupt(d);
    EXPECT_EQ(st.code(), Code::kDataLoss);
  }
  {  // a data byte of record 2 (offset 37): data CRC at 37 + 12
    std::string d = good;
    d[37 + 12 + 3] ^= 0x20;
    auto [keys, st] = ReadCorrupt(d, 1);
    EXPECT_EQ(keys, (std::vector<std::string>{":0", ":21"}));
    EXPECT_EQ(std::string(st.error().what()), "corrupted record at 49 in file " + CorruptPath());
  }
  {  // the file ends inside record 2's data
    auto [keys, st] = ReadCorrupt(good.substr(0, 55));
    EXPECT_EQ(keys, (std::vector<std::string>{":0", ":21"}));
    EXPECT_EQ(st.code(), Code::kDataLoss);
    EXPECT_EQ(std::string(st.error().what()), "truncated record at 37 in file " + CorruptPath());
  }
  {  // a partial header at the end is the end of the file
    auto [keys, st] = ReadCorrupt(good.substr(0, 37 + 5));
    EXPECT_EQ(keys, (std::vector<std::string>{":0", ":21"}));
    EXPECT_EQ(st.code(), Code::kOutOfRange);  // the closed queue, after a clean end
  }
}

TEST(Record, FuzzedFilesGiveOnlyDataLoss) {
  std::string good;
  for (int i = 0; i < 6; i++) good += RecordWriter::Frame(std::string(i * 7, static_cast<char>('a' + i)));
  std::mt19937 rng(1234);
  int errors = 0;
  for (int iter = 0; iter < 4000; iter++) {
    std::string d = good;
    const int kind = iter % 3;
    if (kind == 0 || kind == 2) {
      const int flips = 1 + rng() % 4;
      for (int k = 0; k < flips; k++) d[rng() % d.size()] = static_cast<char>(rng());
    }
    if (kind >= 1) d.resize(rng() % (d.size() + 1));
    RecordReader r(StringInputStream(d));
    uint64_t off = 0;
    std::string rec;
    int n = 0;
    try {
      while (r.ReadRecord(&off, &rec)) {
        ASSERT_LE(++n, 6);
        ASSERT_LE(off, d.size());
      }
    } catch (const Error& e) {
      ASSERT_EQ(e.code(), Code::kDataLoss) << e.what();
      errors++;
    }
  }
  EXPECT_GT(errors, 1000);
  // Compressed streams: damaged gzip data is DataLoss too (or a clean short read).
  const std::string path = TempDir("z.tfrecord");
  {
    RecordWriter w(path, Compression::kGzip);
    for (int i = 0; i < 20; i++) w.WriteRecord(std::string(100, static_cast<char>('a' + i)));
    w.Close();
  }
  const std::string gz = ReadAll(path);
  for (int iter = 0; iter < 500; iter++) {
    std::string d = gz;
    d[10 + rng() % (d.size() - 10)] ^= static_cast<char>(1 + rng() % 255);
    if (iter % 2) d.resize(rng() % d.size());
    RecordReader r(StringInputStream(d, Compression::kGzip));
    uint64_t off = 0;
    std::string rec;
    try {
      int n = 0;
      while (r.ReadRecord(&off, &rec)) ASSERT_LE(++n, 20);
    } catch (const Error& e) {
      ASSERT_EQ(e.code(), Code::kDataLoss) << e.what();
    }
  }
}

TEST(Reader, TextLineKeysCountHeaderLines) {
  const std::string a = TempDir("a.csv"), b = TempDir("b.csv"), empty = TempDir("e.csv");
  WriteRaw(a, "h1\nh2\nx\r\n\ny");  // CRLF stripped, empty line kept, no final newline
  WriteRaw(b, "only header\n");
  WriteRaw(empty, "");
  ReaderFixture f("TextLineReaderV2", {{"skip_header_lines", AInt(2)}});
  for (auto& p : {a, b, empty, a}) f.queue->Add(p);
  f.queue->Close();
  EXPECT_EQ(f.Read(), (std::pair<std::string, std::string>{a + ":3", "x"}));
  EXPECT_EQ(f.Read(), (std::pair<std::string, std::string>{a + ":4", ""}));
  EXPECT_EQ(f.Read(), (std::pair<std::string, std::string>{a + ":5", "y"}));
  EXPECT_EQ(f.Read(), (std::pair<std::string, std::string>{a + ":3", "x"}));  // b and empty yield nothing
  EXPECT_EQ(f.Completed(), 3);
  f.Read();
  f.Read();
  EXPECT_EQ(ExpectError([&] { f.Read(); }).code(), Code::kOutOfRange);
  EXPECT_EQ(f.Produced(), 6);
  EXPECT_EQ(f.Completed(), 4);
}

TEST(Reader, MissingFileIsNotFoundThenTheNextFileIsRead) {
  const std::string dir = TempDir("x");
  const std::string a = dir.substr(0, dir.size() - 1) + "a.txt";
  WriteRaw(a, "1\n2\n");
  ReaderFixture f("TextLineReaderV2", {});
  f.queue->Add(a + ".missing");
  f.queue->Add(a);
  Error e = ExpectError([&] { f.Read(); });
  EXPECT_EQ(e.code(), Code::kNotFound);
  EXPECT_EQ(std::string(e.what()), a + ".missing; No such file or directory");
  EXPECT_EQ(e.node(), "read");
  EXPECT_EQ(f.Read().first, a + ":1");
}

TEST(Reader, FixedLengthHeaderFooterAndHop) {
  const std::string p = TempDir("f.bin");
  WriteRaw(p, "HHabcdefgF");  // header 2, records of 3, footer 1: "abc", "def"; "g" + footer is too short
  ReaderFixture f("FixedLengthRecordReaderV2",
                  {{"header_bytes", AInt(2)}, {"record_bytes", AInt(3)}, {"footer_bytes", AInt(1)}, {"hop_bytes", AInt(0)}});
  f.queue->Add(p);
  f.queue->Close();
  EXPECT_EQ(f.Read(), (std::pair<std::string, std::string>{p + ":0", "abc"}));
  EXPECT_EQ(f.Read(), (std::pair<std::string, std::string>{p + ":1", "def"}));
  EXPECT_EQ(ExpectError([&] { f.Read(); }).code(), Code::kOutOfRange);

  const std::string q = TempDir("h.bin");
  WriteRaw(q, "abcdefg");  // hop 2: records at 0, 2, 4
  ReaderFixture h("FixedLengthRecordReaderV2", {{"record_bytes", AInt(3)}, {"hop_bytes", AInt(2)}});
  h.queue->Add(q);
  h.queue->Close();
  auto [keys, values] = h.ReadUpTo(10);
  EXPECT_EQ(values, (std::vector<std::string>{"abc", "cde", "efg"}));
  EXPECT_EQ(keys.back(), q + ":2");

  EXPECT_EQ(ExpectError([] { KernelRunner k("FixedLengthRecordReaderV2", {{"record_bytes", AInt(0)}}); }).code(),
            Code::kInvalidArgument);
}

TEST(Reader, ReadUpToStaysInOneFile) {
  const std::string a = TempDir("a.txt"), b = TempDir("b.txt");
  WriteRaw(a, "a1\na2\na3\n");
  WriteRaw(b, "b1\nb2\nb3\n");
  ReaderFixture f("TextLineReaderV2", {});
  f.queue->Add(a);
  f.queue->Add(b);
  f.queue->Close();
  EXPECT_EQ(f.ReadUpTo(2).second, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(f.ReadUpTo(5).second, (std::vector<std::string>{"a3"}));
  EXPECT_EQ(f.ReadUpTo(5).second, (std::vector<std::string>{"b1", "b2", "b3"}));
  EXPECT_EQ(f.ReadUpTo(0).second.size(), 0u);
  EXPECT_EQ(ExpectError([&] { f.ReadUpTo(5); }).code(), Code::kOutOfRange);
}

TEST(Reader, WholeFileIdentityAndReset) {
  const std::string a = TempDir("w.bin");
  WriteRaw(a, std::string("x\0y", 3));
  ReaderFixture w("WholeFileReaderV2", {});
  w.queue->Add(a);
  EXPECT_EQ(w.Read(), (std::pair<std::string, std::string>{a, std::string("x\0y", 3)}));
  EXPECT_EQ(w.Completed(), 1);

  ReaderFixture id("IdentityReaderV2", {{"shared_name", AStr("ident")}});
  EXPECT_EQ(StrValues(id.reader_handle)[0], std::string("\0ident", 6));
  id.queue->Add("w1");
  id.queue->Add("w2");
  id.queue->Add("w3");
  EXPECT_EQ(id.Read(), (std::pair<std::string, std::string>{"w1", "w1"}));
  EXPECT_EQ(id.ReadUpTo(5).first, (std::vector<std::string>{"w2"}));
  EXPECT_EQ(id.Produced(), 2);
  id.reset->Run({id.reader_handle}, &id.rm);
  EXPECT_EQ(id.Produced(), 0);
  EXPECT_EQ(id.Completed(), 0);
  EXPECT_EQ(id.Read().first, "w3");
}

TEST(Reader, AReadWaitsForAFileWithoutAThread) {
  const std::string a = TempDir("a.txt");
  WriteRaw(a, "l1\nl2\n");
  ReaderFixture f("TextLineReaderV2", {});
  auto r1 = f.read->Start({f.reader_handle, f.queue_handle}, &f.rm);
  auto r2 = f.read->Start({f.reader_handle, f.queue_handle}, &f.rm);  // queued behind r1
  EXPECT_FALSE(r1->Done());
  EXPECT_FALSE(r2->Done());
  EXPECT_EQ(f.queue->dequeues(), 1);
  std::thread t([&] { f.queue->Add(a); });
  t.join();
  EXPECT_EQ(r1->Wait()[1].strings()[0], "l1");
  EXPECT_EQ(r2->Wait()[1].strings()[0], "l2");
  // A cancelled step leaves the line of pending reads.
  auto r3 = f.read->Start({f.reader_handle, f.queue_handle}, &f.rm);  // parks on the (empty) queue
  auto r4 = f.read->Start({f.reader_handle, f.queue_handle}, &f.rm);
  r4->step.cancellation->StartCancel(Error(Code::kDeadlineExceeded, "Timed out waiting for notification"));
  Status s4 = r4->WaitStatus();
  EXPECT_EQ(s4.code(), Code::kDeadlineExceeded);
  f.queue->Close();
  EXPECT_EQ(r3->WaitStatus().code(), Code::kOutOfRange);
}

TEST(Reader, ConcurrentReadsProduceEveryRecordOnce) {
  const int kFiles = 5, kLines = 200;
  ReaderFixture f("TextLineReaderV2", {});
  std::vector<std::string> files;
  for (int i = 0; i < kFiles; i++) {
    files.push_back(TempDir("p" + std::to_string(i) + ".txt"));
    std::string body;
    for (int l = 0; l < kLines; l++) body += std::to_string(i) + "-" + std::to_string(l) + "\n";
    WriteRaw(files.back(), body);
  }
  std::mutex mu;
  std::multiset<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      while (true) {
        try {
          if (t % 2) {
            auto [k, v] = f.ReadUpTo(7);
            std::lock_guard<std::mutex> l(mu);
            seen.insert(v.begin(), v.end());
          } else {
            auto kv = f.Read();
            std::lock_guard<std::mutex> l(mu);
            seen.insert(kv.second);
          }
        } catch (const Error& e) {
          EXPECT_EQ(e.code(), Code::kOutOfRange);
          return;
        }
      }
    });
  }
  for (auto& p : files) f.queue->Add(p);
  f.queue->Close();
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kFiles * kLines));
  for (int i = 0; i < kFiles; i++) {
    for (int l = 0; l < kLines; l++) EXPECT_EQ(seen.count(std::to_string(i) + "-" + std::to_string(l)), 1u);
  }
  EXPECT_EQ(f.Produced(), kFiles * kLines);
}

TEST(Reader, FileOps) {
  const std::string dir = TempDir("");
  KernelRunner write("WriteFile", {}), read("ReadFile", {}), match("MatchingFiles", {});
  write.Run({Str(dir + "b.txt"), Str(std::string("B\0b", 3))});
  write.Run({Str(dir + "a.txt"), Str("A")});
  write.Run({Str(dir + "c.dat"), Str("C")});
  EXPECT_EQ(read.Run({Str(dir + "b.txt")})[0].strings()[0], std::string("B\0b", 3));
  EXPECT_EQ(StrValues(match.Run({Str(dir + "*.txt")})[0]), (std::vector<std::string>{dir + "a.txt", dir + "b.txt"}));
  EXPECT_EQ(StrValues(match.Run({Strs({dir + "c.*", dir + "?.txt"})})[0]),
            (std::vector<std::string>{dir + "a.txt", dir + "b.txt", dir + "c.dat"}));
  EXPECT_EQ(match.Run({Str(dir + "*.none")})[0].num_elements(), 0);
  Error e = ExpectError([&] { read.Run({Str(dir + "nope")}); });
  EXPECT_EQ(e.code(), Code::kNotFound);
  EXPECT_EQ(std::string(e.what()), dir + "nope; No such file or directory");
  // No temporary file is left beside the written one.
  EXPECT_EQ(MatchFiles(dir + "*").size(), 3u);
}

}  // namespace
}  // namespace tg
