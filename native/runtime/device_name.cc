#include "runtime/device_name.h"

#include <climits>

#include "runtime/status.h"

namespace tg {

namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the name; each Consume* advances it only when it matches.
struct Cursor {
  const std::string& s;
  size_t pos = 0;
  bool done() const { return pos == s.size(); }
  bool Prefix(const char* p) {
    const size_t n = std::char_traits<char>::length(p);
    if (s.compare(pos, n, p) != 0) return false;
    pos += n;
    return true;
  }
  // A job or device type: a letter, then letters, digits or '_' up to one of `stops`.
  bool Name(const char* stops, std::string* out) {
    if (done() || !IsAlpha(s[pos])) return false;
    size_t i = pos + 1;
    for (; i < s.size(); i++) {
      const char c = s[i];
      if (std::char_traits<char>::find(stops, std::char_traits<char>::length(stops), c)) break;
      if (!(IsAlpha(c) || IsDigit(c) || c == '_')) return false;
    }
    out->assign(s, pos, i - pos);
    pos = i;
    return true;
  }
  // Leading decimal digits (an int).
  bool Number(int* out) {
    size_t i = pos;
    long long v = 0;
    for (; i < s.size() && IsDigit(s[i]); i++) {
      v = v * 10 + (s[i] - '0');
      if (v > INT_MAX) return false;
    }
    if (i == pos) return false;
    *out = static_cast<int>(v);
    pos = i;
    return true;
  }
  // "*" (unset) or a number.
  bool Index(bool* has, int* out) {
    *has = !Prefix("*");
    return !*has || Number(out);
  }
};

}  // namespace

bool ParsedDeviceName::Parse(const std::string& name, ParsedDeviceName* p) {
  *p = ParsedDeviceName();
  if (name == "/") return true;
  Cursor in{name};
  while (!in.done()) {
    bool progress = false;
    if (in.Prefix("/job:")) {
      p->has_job = !in.Prefix("*");
      if (p->has_job && !in.Name("/", &p->job)) return false;
      progress = true;
    }
    if (in.Prefix("/replica:")) {
      if (!in.Index(&p->has_replica, &p->replica)) return false;
      progress = true;
    }
    if (in.Prefix("/task:")) {
      if (!in.Index(&p->has_task, &p->task)) return false;
      progress = true;
    }
    if (in.Prefix("/device:")) {
      p->has_type = !in.Prefix("*");
      if (p->has_type && !in.Name("/:", &p->type)) return false;
      if (!in.Prefix(":")) {
        p->has_id = false;
      } else if (!in.Index(&p->has_id, &p->id)) {
        return false;
      }
      progress = true;
    }
    // The legacy names, lowercase or uppercase only: "/cpu:0" is "/device:CPU:0".
    for (const char* type : {"CPU", "GPU"}) {
      const std::string upper = std::string("/") + type + ":";
      std::string lower = upper;
      for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      if (in.Prefix(lower.c_str()) || in.Prefix(upper.c_str())) {
        p->has_type = true;
        p->type = type;
        if (!in.Index(&p->has_id, &p->id)) return false;
        progress = true;
      }
    }
    if (!progress) return false;
  }
  return true;
}

ParsedDeviceName ParsedDeviceName::ParseOrThrow(const std::string& name) {
  ParsedDeviceName p;
  if (!Parse(name, &p)) throw InvalidArgument("Malformed device specification '" + name + "'");
  return p;
}

std::string ParsedDeviceName::ToString() const {
  std::string s;
  if (has_job) s += "/job:" + job;
  if (has_replica) s += "/replica:" + std::to_string(replica);
  if (has_task) s += "/task:" + std::to_string(task);
  if (has_type) s += "/device:" + type + ":" + (has_id ? std::to_string(id) : "*");
  return s;
}

}  // namespace tg
