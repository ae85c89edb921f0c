#include "io/example_proto.h"

#include <cstring>

namespace tg {
namespace {

// A bounds-checked cursor over protobuf bytes.
struct Cursor {
  const uint8_t* p;
  const uint8_t* end;

  bool done() const { return p == end; }
  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p == end) return false;
      const uint8_t b = *p++;
      if (shift == 63 && b > 1) return false;  // more than 64 bits
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Fixed32(uint32_t* v) {
    if (end - p < 4) return false;
    *v = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
    p += 4;
    return true;
  }
  // A length-delimited field's payload.
  bool Bytes(Cursor* sub) {
    uint64_t n;
    if (!Varint(&n) || n > static_cast<uint64_t>(end - p)) return false;
    *sub = {p, p + n};
    p += n;
    return true;
  }
  bool Tag(uint32_t* field, uint32_t* wire) {
    uint64_t t;
    if (!Varint(&t) || t > 0xffffffffu) return false;
    *field = static_cast<uint32_t>(t >> 3);
    *wire = static_cast<uint32_t>(t & 7);
    return *field != 0;
  }
  bool Skip(uint32_t wire) {
    uint64_t v;
    uint32_t f;
    Cursor sub;
    switch (wire) {
      case 0: return Varint(&v);
      case 1:
        if (end - p < 8) return false;
        p += 8;
        return true;
      case 2: return Bytes(&sub);
      case 5: return Fixed32(&f);
      default: return false;  // groups (3, 4) are not used by Example
    }
  }
};

float FloatFromBits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// The value field (1) of BytesList / FloatList / Int64List; other fields skipped.
bool ParseList(Cursor c, ExampleFeature::Kind kind, ExampleFeature* out) {
  out->kind = kind;
  out->bytes.clear();
  out->floats.clear();
  out->int64s.clear();
  while (!c.done()) {
    uint32_t field, wire;
    if (!c.Tag(&field, &wire)) return false;
    if (field != 1) {
      if (!c.Skip(wire)) return false;
      continue;
    }
    if (kind == ExampleFeature::kBytes) {
      Cursor s;
      if (wire != 2 || !c.Bytes(&s)) return false;
      out->bytes.emplace_back(reinterpret_cast<const char*>(s.p), s.end - s.p);
    } else if (kind == ExampleFeature::kFloat) {
      if (wire == 5) {  // unpacked
        uint32_t bits;
        if (!c.Fixed32(&bits)) return false;
        out->floats.push_back(FloatFromBits(bits));
      } else if (wire == 2) {
        Cursor s;
        if (!c.Bytes(&s) || (s.end - s.p) % 4 != 0) return false;
        while (!s.done()) {
          uint32_t bits = 0;
          s.Fixed32(&bits);
          out->floats.push_back(FloatFromBits(bits));
        }
      } else {
        return false;
      }
    } else {
      if (wire == 0) {
        uint64_t v;
        if (!c.Varint(&v)) return false;
        out->int64s.push_back(static_cast<int64_t>(v));
      } else if (wire == 2) {
        Cursor s;
        if (!c.Bytes(&s)) return false;
        while (!s.done()) {
          uint64_t v;
          if (!s.Varint(&v)) return false;
          out->int64s.push_back(static_cast<int64_t>(v));
        }
      } else {
        return false;
      }
    }
  }
  return true;
}

bool ParseFeature(Cursor c, ExampleFeature* out) {
  *out = ExampleFeature();
  while (!c.done()) {
    uint32_t field, wire;
    if (!c.Tag(&field, &wire)) return false;
    if (field >= 1 && field <= 3) {
      Cursor s;
      if (wire != 2 || !c.Bytes(&s)) return false;
      const auto kind = field == 1 ? ExampleFeature::kBytes : field == 2 ? ExampleFeature::kFloat : ExampleFeature::kInt64;
      if (!ParseList(s, kind, out)) return false;  // the last kind set wins (oneof)
    } else if (!c.Skip(wire)) {
      return false;
    }
  }
  return true;
}

// One map entry: key = 1, value = 2.
bool ParseMapEntry(Cursor c, std::map<std::string, ExampleFeature>* features) {
  std::string key;
  ExampleFeature value;
  while (!c.done()) {
    uint32_t field, wire;
    if (!c.Tag(&field, &wire)) return false;
    Cursor s;
    if (field == 1) {
      if (wire != 2 || !c.Bytes(&s)) return false;
      key.assign(reinterpret_cast<const char*>(s.p), s.end - s.p);
    } else if (field == 2) {
      if (wire != 2 || !c.Bytes(&s) || !ParseFeature(s, &value)) return false;
    } else if (!c.Skip(wire)) {
      return false;
    }
  }
  (*features)[key] = std::move(value);
  return true;
}

bool ParseFeatures(Cursor c, std::map<std::string, ExampleFeature>* features) {
  while (!c.done()) {
    uint32_t field, wire;
    if (!c.Tag(&field, &wire)) return false;
    if (field == 1) {
      Cursor s;
      if (wire != 2 || !c.Bytes(&s) || !ParseMapEntry(s, features)) return false;
    } else if (!c.Skip(wire)) {
      return false;
    }
  }
  return true;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutBytes(std::string* out, uint32_t field, const std::string& bytes) {
  PutVarint(out, (field << 3) | 2);
  PutVarint(out, bytes.size());
  out->append(bytes);
}

}  // namespace

bool ParseExampleProto(const std::string& serialized, std::map<std::string, ExampleFeature>* features) {
  features->clear();
  const auto* p = reinterpret_cast<const uint8_t*>(serialized.data());
  Cursor c{p, p + serialized.size()};
  while (!c.done()) {
    uint32_t field, wire;
    if (!c.Tag(&field, &wire)) return false;
    if (field == 1) {
      Cursor s;
      if (wire != 2 || !c.Bytes(&s) || !ParseFeatures(s, features)) return false;  // repeated messages merge
    } else if (!c.Skip(wire)) {
      return false;
    }
  }
  return true;
}

std::string SerializeExampleProto(const std::map<std::string, ExampleFeature>& features) {
  std::string feats;
  for (const auto& [key, f] : features) {
    std::string list;
    uint32_t kind_field = 0;
    if (f.kind == ExampleFeature::kBytes) {
      kind_field = 1;
      for (const auto& b : f.bytes) PutBytes(&list, 1, b);
    } else if (f.kind == ExampleFeature::kFloat) {
      kind_field = 2;
      std::string packed(f.floats.size() * 4, '\0');
      if (!f.floats.empty()) std::memcpy(&packed[0], f.floats.data(), packed.size());  // little-endian hosts
      if (!packed.empty()) PutBytes(&list, 1, packed);
    } else if (f.kind == ExampleFeature::kInt64) {
      kind_field = 3;
      std::string packed;
      for (int64_t v : f.int64s) PutVarint(&packed, static_cast<uint64_t>(v));
      if (!packed.empty()) PutBytes(&list, 1, packed);
    }
    std::string feature;
    if (kind_field) PutBytes(&feature, kind_field, list);
    std::string entry;
    PutBytes(&entry, 1, key);
    PutBytes(&entry, 2, feature);
    PutBytes(&feats, 1, entry);
  }
  std::string out;
  PutBytes(&out, 1, feats);
  return out;
}

}  // namespace tg
