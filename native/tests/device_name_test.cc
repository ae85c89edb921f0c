// The device-name grammar, on the cases the TypeScript parser is tested on too
// (test/fixtures/device_names.json, read by test/device_names.test.ts).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/device_name.h"
#include "runtime/status.h"

namespace tg {
namespace {

// The fixture is an array of flat objects whose values are strings, integers, true or null;
// a value is kept as its JSON text ("\"CPU\"", "0", "null"), strings unescaped.
using Case = std::map<std::string, std::string>;

std::vector<Case> ReadFixture() {
  std::ifstream f(std::string(TG_SOURCE_DIR) + "/test/fixtures/device_names.json");
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string s = ss.str();
  size_t i = 0;
  auto skip = [&] { while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) i++; };
  auto str = [&] {
    std::string out;
    for (i++; s[i] != '"'; i++) out += s[i] == '\\' ? s[++i] : s[i];
    i++;
    return out;
  };
  std::vector<Case> cases;
  skip();
  EXPECT_EQ(s[i], '[');
  for (i++, skip(); i < s.size() && s[i] == '{'; skip(), i += s[i] == ',', skip()) {
    Case c;
    for (i++, skip(); s[i] != '}'; skip(), i += s[i] == ',', skip()) {
      std::string key = str();
      skip();
      i++;  // ':'
      skip();
      if (s[i] == '"') {
        c[key] = "\"" + str() + "\"";
      } else {
        size_t end = s.find_first_of(",}", i);
        c[key] = s.substr(i, end - i);
        i = end;
      }
    }
    i++;  // '}'
    cases.push_back(std::move(c));
  }
  return cases;
}

std::string Field(bool has, const std::string& v, bool quoted) { return has ? (quoted ? "\"" + v + "\"" : v) : "null"; }

TEST(DeviceName, SharedFixture) {
  const std::vector<Case> cases = ReadFixture();
  ASSERT_GE(cases.size(), 40u);
  for (const Case& c : cases) {
    const std::string input = c.at("input").substr(1, c.at("input").size() - 2);
    SCOPED_TRACE("input: '" + input + "'");
    ParsedDeviceName p;
    const bool ok = ParsedDeviceName::Parse(input, &p);
    if (c.count("error")) {
      EXPECT_FALSE(ok);
      continue;
    }
    ASSERT_TRUE(ok);
    EXPECT_EQ(Field(p.has_job, p.job, true), c.at("job"));
    EXPECT_EQ(Field(p.has_replica, std::to_string(p.replica), false), c.at("replica"));
    EXPECT_EQ(Field(p.has_task, std::to_string(p.task), false), c.at("task"));
    EXPECT_EQ(Field(p.has_type, p.type, true), c.at("type"));
    EXPECT_EQ(Field(p.has_id, std::to_string(p.id), false), c.at("id"));
  }
}

TEST(DeviceName, ToStringIsCanonical) {
  EXPECT_EQ(ParsedDeviceName::ParseOrThrow("/cpu:1").ToString(), "/device:CPU:1");
  EXPECT_EQ(ParsedDeviceName::ParseOrThrow("/device:GPU:0/job:x/task:2").ToString(), "/job:x/task:2/device:GPU:0");
  EXPECT_EQ(ParsedDeviceName::ParseOrThrow("/gpu:*").ToString(), "/device:GPU:*");
  EXPECT_EQ(ParsedDeviceName::ParseOrThrow("").ToString(), "");
}

TEST(DeviceName, ParseOrThrowNamesTheSpec) {
  try {
    ParsedDeviceName::ParseOrThrow("/cpu");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Code::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("Malformed device specification '/cpu'"), std::string::npos);
  }
}

}  // namespace
}  // namespace tg
