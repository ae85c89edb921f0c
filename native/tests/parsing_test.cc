// DecodeCSV, DecodeRaw, StringToNumber, StringSplit and Example parsing, against
// hand-computed expectations and TF's error texts.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "io/example_proto.h"
#include "io_test_util.h"

namespace tg {
namespace {

using namespace testutil;

Tensor Empty(DataType t) { return Tensor(t, {0}); }
template <typename T>
Tensor One(T v) {
  return Vec<T>({v});
}
Tensor OneStr(const std::string& s) { return Strs({s}); }

std::map<std::string, AttrValue> CsvAttrs(std::vector<DataType> types, std::map<std::string, AttrValue> extra = {}) {
  extra["OUT_TYPE"] = ATypes(std::move(types));
  return extra;
}

TEST(Parsing, DecodeCsvTypesAndDefaults) {
  KernelRunner k("DecodeCSV", CsvAttrs({DataType::DT_INT32, DataType::DT_FLOAT, DataType::DT_STRING, DataType::DT_INT64,
                                        DataType::DT_DOUBLE}), "csv");
  auto out = k.Run({Strs({"1,2.5,abc,7,0.25", ",,,,", "-3, 1e3 ,x y,+9,-inf"}), One<int32_t>(-1), One<float>(-2.f),
                    OneStr("dflt"), One<int64_t>(-4), One<double>(-5)});
  EXPECT_EQ(Values<int32_t>(out[0]), (std::vector<int32_t>{1, -1, -3}));
  EXPECT_EQ(Values<float>(out[1]), (std::vector<float>{2.5f, -2.f, 1000.f}));
  EXPECT_EQ(StrValues(out[2]), (std::vector<std::string>{"abc", "dflt", "x y"}));
  EXPECT_EQ(Values<int64_t>(out[3]), (std::vector<int64_t>{7, -4, 9}));
  EXPECT_EQ(out[4].data<double>()[0], 0.25);
  EXPECT_EQ(out[4].data<double>()[1], -5.0);
  EXPECT_TRUE(std::isinf(out[4].data<double>()[2]) && out[4].data<double>()[2] < 0);
  EXPECT_EQ(out[0].shape(), (Shape{3}));
}

TEST(Parsing, DecodeCsvBookExamplesAndErrata) {
  KernelRunner k("DecodeCSV", CsvAttrs({DataType::DT_FLOAT, DataType::DT_FLOAT, DataType::DT_INT32}), "decode");
  auto in = [](const std::string& rec) {
    return std::vector<Tensor>{Str(rec), One<float>(-1.f), One<float>(-1.f), One<int32_t>(-1)};
  };
  auto out = k.Run(in("1., 2., 0"));  // spaces around numbers are fine
  EXPECT_EQ(out[0].data<float>()[0], 1.f);
  EXPECT_EQ(out[1].data<float>()[0], 2.f);
  EXPECT_EQ(out[2].data<int32_t>()[0], 0);
  EXPECT_EQ(out[0].shape(), Shape{});
  out = k.Run(in("7.,,0"));  // empty: the default
  EXPECT_EQ(out[1].data<float>()[0], -1.f);
  // Errata: a space-only field is not missing.
  EXPECT_EQ(ErrorText([&] { k.Run(in("7., , 0")); }), "Field 1 in record 0 is not a valid float:  ");
  EXPECT_EQ(ErrorText([&] { k.Run(in("1,2")); }), "Expect 3 fields but have 2 in record 0");
  EXPECT_EQ(ErrorText([&] { k.Run(in("1,2,3,4")); }), "Expect 3 fields but have 4 in record 0");
  EXPECT_EQ(ErrorText([&] { k.Run(in("")); }), "Expect 3 fields but have 0 in record 0");
  EXPECT_EQ(ErrorText([&] { k.Run(in("1,2,0.5")); }), "Field 2 in record 0 is not a valid int32: 0.5");
  EXPECT_EQ(ErrorText([&] { k.Run(in("1,2,0x10")); }), "Field 2 in record 0 is not a valid int32: 0x10");
  EXPECT_EQ(ErrorText([&] { k.Run(in("1,2,99999999999")); }), "Field 2 in record 0 is not a valid int32: 99999999999");
  EXPECT_EQ(k.Run(in("1,2,+5"))[2].data<int32_t>()[0], 5);
  EXPECT_EQ(k.Run(in("1,2,-2147483648"))[2].data<int32_t>()[0], INT32_MIN);
  out = k.Run(in("nan,INF,1"));
  EXPECT_TRUE(std::isnan(out[0].data<float>()[0]));
  EXPECT_TRUE(std::isinf(out[1].data<float>()[0]));
  EXPECT_EQ(ErrorText([&] { k.Run(in("1.5x,2,1")); }), "Field 0 in record 0 is not a valid float: 1.5x");
  // The failing record's index among several.
  EXPECT_EQ(ErrorText([&] {
              k.Run({Strs({"1,2,3", "4,5,6", "7,8"}), One<float>(-1.f), One<float>(-1.f), One<int32_t>(-1)});
            }),
            "Expect 3 fields but have 2 in record 2");
  try {
    k.Run(in("1,2"));
  } catch (const Error& e) {
    EXPECT_EQ(e.node(), "decode");
  }
}

TEST(Parsing, DecodeCsvRequiredQuotesDelimAndNa) {
  KernelRunner k("DecodeCSV", CsvAttrs({DataType::DT_STRING, DataType::DT_INT32}, {{"na_value", AStr("NA")}}));
  EXPECT_EQ(ErrorText([&] { k.Run({Str("a,"), Empty(DataType::DT_STRING), Empty(DataType::DT_INT32)}); }),
            "Field 1 is required but missing in record 0!");
  EXPECT_EQ(ErrorText([&] { k.Run({Str("NA,1"), Empty(DataType::DT_STRING), Empty(DataType::DT_INT32)}); }),
            "Field 0 is required but missing in record 0!");
  EXPECT_EQ(k.Run({Str("a,NA"), Empty(DataType::DT_STRING), One<int32_t>(42)})[1].data<int32_t>()[0], 42);
  auto out = k.Run({Strs({"\"x,\"\"y\"\"\",3", "\"\",4"}), OneStr("d"), Empty(DataType::DT_INT32)});
  EXPECT_EQ(StrValues(out[0]), (std::vector<std::string>{"x,\"y\"", "d"}));  // "" is an empty field
  EXPECT_EQ(ErrorText([&] { k.Run({Str("a\"b,1"), OneStr(""), One<int32_t>(0)}); }),
            "Unquoted fields cannot have quotes/CRLFs inside");
  EXPECT_EQ(ErrorText([&] { k.Run({Str("\"ab\"c,1"), OneStr(""), One<int32_t>(0)}); }),
            "Quote inside a string has to be escaped by another quote");
  EXPECT_EQ(ErrorText([&] { k.Run({Str("\"ab,1"), OneStr(""), One<int32_t>(0)}); }),
            "Quoted field has to end with quote followed by delim or end");
  EXPECT_EQ(ErrorText([&] { k.Run({Str("a,1"), Strs({"x", "y"}), One<int32_t>(0)}); }),
            "There should only be 1 default per field but field 0 has 2");

  KernelRunner tab("DecodeCSV", CsvAttrs({DataType::DT_STRING, DataType::DT_STRING},
                                         {{"field_delim", AStr("\t")}, {"use_quote_delim", ABool(false)}}));
  out = tab.Run({Str("a\"b\tc,d"), OneStr(""), OneStr("")});
  EXPECT_EQ(StrValues(out[0])[0], "a\"b");
  EXPECT_EQ(StrValues(out[1])[0], "c,d");
  EXPECT_EQ(ErrorText([] { KernelRunner bad("DecodeCSV", CsvAttrs({DataType::DT_STRING}, {{"field_delim", AStr("ab")}})); }),
            "field_delim should be only 1 char");
}

TEST(Parsing, DecodeCsvSelectCols) {
  KernelRunner k("DecodeCSV", CsvAttrs({DataType::DT_INT32, DataType::DT_INT32}, {{"select_cols", AInts({0, 2})}}));
  auto out = k.Run({Strs({"1,2,3", "4,x,6,y"}), One<int32_t>(0), One<int32_t>(0)});
  EXPECT_EQ(Values<int32_t>(out[0]), (std::vector<int32_t>{1, 4}));
  EXPECT_EQ(Values<int32_t>(out[1]), (std::vector<int32_t>{3, 6}));
  KernelRunner k3("DecodeCSV", CsvAttrs({DataType::DT_INT32, DataType::DT_INT32, DataType::DT_INT32}, {{"select_cols", AInts({0, 1, 3})}}));
  EXPECT_EQ(ErrorText([&] { k3.Run({Strs({",,", "4,5,6"}), One<int32_t>(0), One<int32_t>(1), One<int32_t>(2)}); }),
            "Expect 3 fields but have 2 in record 0");
}

TEST(Parsing, DecodeCsvFuzzGivesOnlyInvalidArgument) {
  KernelRunner k("DecodeCSV", CsvAttrs({DataType::DT_FLOAT, DataType::DT_STRING, DataType::DT_INT64}));
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789.,\" \r\n-+eEinfaxNA\t";
  int ok = 0;
  for (int iter = 0; iter < 3000; iter++) {
    std::string rec;
    const int len = rng() % 24;
    for (int i = 0; i < len; i++) rec += alphabet[rng() % alphabet.size()];
    if (iter % 10 == 0) rec += static_cast<char>(rng());
    try {
      k.Run({Str(rec), One<float>(0), OneStr(""), One<int64_t>(0)});
      ok++;
    } catch (const Error& e) {
      ASSERT_EQ(e.code(), Code::kInvalidArgument) << rec;
    }
  }
  EXPECT_GT(ok, 0);
}

TEST(Parsing, DecodeRawAndStringToNumber) {
  KernelRunner le("DecodeRaw", {{"out_type", AType(DataType::DT_INT32)}}, "raw");
  KernelRunner be("DecodeRaw", {{"out_type", AType(DataType::DT_INT32)}, {"little_endian", ABool(false)}});
  const std::string bytes("\x01\x00\x00\x00\x00\x00\x00\x02", 8);
  auto out = le.Run({Strs({bytes, std::string("\xff\xff\xff\xff\x10\x00\x00\x00", 8)})});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<int32_t>(out[0]), (std::vector<int32_t>{1, 0x02000000, -1, 16}));
  EXPECT_EQ(Values<int32_t>(be.Run({Str(bytes)})[0]), (std::vector<int32_t>{0x01000000, 2}));
  EXPECT_EQ(ErrorText([&] { le.Run({Str("abc")}); }),
            "Input to DecodeRaw has length 3 that is not a multiple of 4, the size of int32");
  EXPECT_EQ(ErrorText([&] { le.Run({Strs({"abcd", "abcdefgh"})}); }),
            "DecodeRaw requires input strings to all be the same size, but element 1 has size 8 != 4");
  KernelRunner u8("DecodeRaw", {{"out_type", AType(DataType::DT_UINT8)}});
  EXPECT_EQ(Values<uint8_t>(u8.Run({Str("\x01\xff")})[0]), (std::vector<uint8_t>{1, 255}));
  EXPECT_EQ(u8.Run({Strs({}, {0})})[0].shape(), (Shape{0, 0}));

  KernelRunner f("StringToNumber", {{"out_type", AType(DataType::DT_FLOAT)}});
  KernelRunner i("StringToNumber", {{"out_type", AType(DataType::DT_INT32)}});
  KernelRunner l("StringToNumber", {{"out_type", AType(DataType::DT_INT64)}});
  EXPECT_EQ(Values<float>(f.Run({Strs({"1.5", " -2 ", "1e-3", "0x10"})})[0]), (std::vector<float>{1.5f, -2.f, 0.001f, 16.f}));
  EXPECT_EQ(Values<int32_t>(i.Run({Strs({"12", "-7", "+3"})})[0]), (std::vector<int32_t>{12, -7, 3}));
  EXPECT_EQ(Values<int64_t>(l.Run({Str("9223372036854775807")})[0]), (std::vector<int64_t>{INT64_MAX}));
  EXPECT_EQ(ErrorText([&] { i.Run({Str("1.5")}); }), "StringToNumberOp could not correctly convert string: 1.5");
  EXPECT_EQ(ErrorText([&] { f.Run({Str("abc")}); }), "StringToNumberOp could not correctly convert string: abc");
  EXPECT_EQ(ErrorText([&] { f.Run({Str("  ")}); }), "StringToNumberOp could not correctly convert string:   ");
  EXPECT_EQ(ErrorText([&] { i.Run({Str("2147483648")}); }), "StringToNumberOp could not correctly convert string: 2147483648");
}

TEST(Parsing, StringSplit) {
  KernelRunner k("StringSplit", {{"skip_empty", ABool(true)}});
  auto out = k.Run({Strs({"a b", "", "c  d e"}), Str(" ")});
  EXPECT_EQ(Values<int64_t>(out[0]), (std::vector<int64_t>{0, 0, 0, 1, 2, 0, 2, 1, 2, 2}));
  EXPECT_EQ(out[0].shape(), (Shape{5, 2}));
  EXPECT_EQ(StrValues(out[1]), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(Values<int64_t>(out[2]), (std::vector<int64_t>{3, 3}));
  KernelRunner keep("StringSplit", {{"skip_empty", ABool(false)}});
  out = keep.Run({Strs({"a,,b;c"}), Str(",;")});  // every char of the delimiter splits
  EXPECT_EQ(StrValues(out[1]), (std::vector<std::string>{"a", "", "b", "c"}));
  out = keep.Run({Strs({"xy"}), Str("")});  // empty delimiter: bytes
  EXPECT_EQ(StrValues(out[1]), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(ErrorText([&] { k.Run({Str("a"), Str(" ")}); }), "input must be a vector, got shape: []");
}

// Example{features{feature{key:"a" value{int64_list{value:[1,2]}}}}}, byte by byte.
const std::string kInt64Example("\x0a\x0d\x0a\x0b\x0a\x01" "a" "\x12\x06\x1a\x04\x0a\x02\x01\x02", 15);

TEST(Parsing, ExampleProtoWireFormat) {
  std::map<std::string, ExampleFeature> feats;
  ExampleFeature a;
  a.kind = ExampleFeature::kInt64;
  a.int64s = {1, 2};
  feats["a"] = a;
  EXPECT_EQ(SerializeExampleProto(feats), kInt64Example);
  std::map<std::string, ExampleFeature> parsed;
  ASSERT_TRUE(ParseExampleProto(kInt64Example, &parsed));
  EXPECT_EQ(parsed["a"].int64s, (std::vector<int64_t>{1, 2}));
  // FloatList [1.5] unpacked (wire type 5) and a negative int64 (10-byte varint) decode too.
  const std::string f("\x0a\x0f\x0a\x0d\x0a\x01" "f" "\x12\x08\x12\x06\x0d\x00\x00\xc0\x3f\x00", 17);
  ASSERT_FALSE(ParseExampleProto(f, &parsed));  // trailing 0x00 is an invalid tag (field 0)
  const std::string f2("\x0a\x0e\x0a\x0c\x0a\x01" "f" "\x12\x07\x12\x05\x0d\x00\x00\xc0\x3f", 16);
  ASSERT_TRUE(ParseExampleProto(f2, &parsed));
  EXPECT_EQ(parsed["f"].floats, (std::vector<float>{1.5f}));
  ExampleFeature neg;
  neg.kind = ExampleFeature::kInt64;
  neg.int64s = {-1};
  ASSERT_TRUE(ParseExampleProto(SerializeExampleProto({{"n", neg}}), &parsed));
  EXPECT_EQ(parsed["n"].int64s, (std::vector<int64_t>{-1}));
  // Every proper truncation of the example is malformed (the outer length promises 13 bytes).
  for (size_t n = 1; n < kInt64Example.size(); n++) EXPECT_FALSE(ParseExampleProto(kInt64Example.substr(0, n), &parsed)) << n;
  EXPECT_TRUE(ParseExampleProto("", &parsed));  // an empty Example is valid protobuf
  EXPECT_TRUE(parsed.empty());
}

std::string MakeExample() {
  ExampleFeature img, label, name;
  img.kind = ExampleFeature::kFloat;
  img.floats = {0.5f, 1.5f, -2.f, 4.f};
  label.kind = ExampleFeature::kInt64;
  label.int64s = {7};
  name.kind = ExampleFeature::kBytes;
  name.bytes = {std::string("n\0m", 3)};
  return SerializeExampleProto({{"img", img}, {"label", label}, {"name", name}});
}

std::map<std::string, AttrValue> SingleAttrs(std::vector<std::string> keys, std::vector<DataType> types,
                                             std::vector<std::vector<int64_t>> shapes) {
  return {{"num_sparse", AInt(0)},       {"sparse_keys", AStrs({})},     {"dense_keys", AStrs(std::move(keys))},
          {"sparse_types", ATypes({})},  {"Tdense", ATypes(std::move(types))}, {"dense_shapes", AShapes(std::move(shapes))}};
}

TEST(Parsing, ParseSingleExampleDense) {
  KernelRunner k("ParseSingleExample",
                 SingleAttrs({"img", "label", "name", "weight"}, {DataType::DT_FLOAT, DataType::DT_INT64, DataType::DT_STRING, DataType::DT_FLOAT},
                             {{2, 2}, {}, {1}, {}}),
                 "parse");
  auto out = k.Run({Str(MakeExample()), Empty(DataType::DT_FLOAT), Empty(DataType::DT_INT64), Empty(DataType::DT_STRING),
                    Tensor::Scalar<float>(0.25f)});
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{0.5f, 1.5f, -2.f, 4.f}));
  EXPECT_EQ(out[1].shape(), Shape{});
  EXPECT_EQ(out[1].data<int64_t>()[0], 7);
  EXPECT_EQ(StrValues(out[2]), (std::vector<std::string>{std::string("n\0m", 3)}));
  EXPECT_EQ(out[3].data<float>()[0], 0.25f);  // missing: the default
  auto run = [&](std::vector<std::string> keys, std::vector<DataType> types, std::vector<std::vector<int64_t>> shapes,
                 std::vector<Tensor> defaults, const std::string& ser) {
    KernelRunner p("ParseSingleExample", SingleAttrs(keys, types, shapes));
    std::vector<Tensor> in{Str(ser)};
    in.insert(in.end(), defaults.begin(), defaults.end());
    return p.Run(in);
  };
  EXPECT_EQ(ErrorText([&] { run({"label"}, {DataType::DT_FLOAT}, {{}}, {Empty(DataType::DT_FLOAT)}, MakeExample()); }),
            "Key: label.  Data types don't match. Data type: int64 but expected type: float");
  EXPECT_EQ(ErrorText([&] { run({"img"}, {DataType::DT_FLOAT}, {{3}}, {Empty(DataType::DT_FLOAT)}, MakeExample()); }),
            "Key: img.  Number of float values != expected.  Values size: 4 but output shape: [3]");
  EXPECT_EQ(ErrorText([&] { run({"zz"}, {DataType::DT_INT64}, {{}}, {Empty(DataType::DT_INT64)}, MakeExample()); }),
            "Feature: zz (data type: int64) is required but could not be found.");
  const std::string bad = MakeExample().substr(0, 9);
  EXPECT_EQ(ErrorText([&] { run({"img"}, {DataType::DT_FLOAT}, {{4}}, {Empty(DataType::DT_FLOAT)}, bad); }),
            "Could not parse example input, value: '" + bad + "'");
}

TEST(Parsing, ParseExampleBatchAndFuzz) {
  std::map<std::string, AttrValue> attrs{{"Nsparse", AInt(0)},         {"Ndense", AInt(2)},
                                         {"sparse_types", ATypes({})}, {"Tdense", ATypes({DataType::DT_FLOAT, DataType::DT_INT64})},
                                         {"dense_shapes", AShapes({{4}, {1}})}};
  KernelRunner k("ParseExample", attrs, "parse_example");
  ExampleFeature lab;
  lab.kind = ExampleFeature::kInt64;
  lab.int64s = {3};
  const std::string second = SerializeExampleProto({{"label", lab}});
  auto out = k.Run({Strs({MakeExample(), second}), Strs({}, {0}), Str("img"), Str("label"), Vec<float>({9, 9, 9, 9}),
                    Empty(DataType::DT_INT64)});
  EXPECT_EQ(out[0].shape(), (Shape{2, 4}));
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{0.5f, 1.5f, -2.f, 4.f, 9, 9, 9, 9}));
  EXPECT_EQ(Values<int64_t>(out[1]), (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(ErrorText([&] {
              k.Run({Strs({second, MakeExample()}), Strs({"first", "second"}), Str("img"), Str("label"), Empty(DataType::DT_FLOAT),
                     Empty(DataType::DT_INT64)});
            }),
            "Name: first, Feature: img (data type: float) is required but could not be found.");
  // Random damage: only InvalidArgument, never a crash.
  std::mt19937 rng(99);
  const std::string good = MakeExample();
  for (int iter = 0; iter < 3000; iter++) {
    std::string d = good;
    const int flips = 1 + rng() % 3;
    for (int i = 0; i < flips; i++) d[rng() % d.size()] = static_cast<char>(rng());
    if (iter % 3 == 0) d.resize(rng() % (d.size() + 1));
    try {
      k.Run({Strs({d}), Strs({}, {0}), Str("img"), Str("label"), Vec<float>({0, 0, 0, 0}), Vec<int64_t>({0})});
    } catch (const Error& e) {
      ASSERT_EQ(e.code(), Code::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace tg
