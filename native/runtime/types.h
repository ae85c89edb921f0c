// Data types of the runtime: the schema's enum (TensorFlow's numbers), with sizes and names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "graph_generated.h"

namespace tg {

using DataType = fb::DataType;

// Bytes per element of a numeric dtype; 0 for strings and unsupported types.
size_t DataTypeSize(DataType dtype);

// Whether tensors of this dtype hold std::string elements (strings, and resource handles).
inline bool HoldsStrings(DataType dtype) { return dtype == DataType::DT_STRING || dtype == DataType::DT_RESOURCE; }

// TensorFlow's short name ("float", "int32", ...), used in error messages.
std::string DataTypeName(DataType dtype);

// Maps C++ element types to dtypes (DataTypeOf<float>() == DT_FLOAT).
template <typename T> constexpr DataType DataTypeOf();
template <> constexpr DataType DataTypeOf<float>() { return DataType::DT_FLOAT; }
template <> constexpr DataType DataTypeOf<double>() { return DataType::DT_DOUBLE; }
template <> constexpr DataType DataTypeOf<int32_t>() { return DataType::DT_INT32; }
template <> constexpr DataType DataTypeOf<int64_t>() { return DataType::DT_INT64; }
template <> constexpr DataType DataTypeOf<int16_t>() { return DataType::DT_INT16; }
template <> constexpr DataType DataTypeOf<int8_t>() { return DataType::DT_INT8; }
template <> constexpr DataType DataTypeOf<uint8_t>() { return DataType::DT_UINT8; }
template <> constexpr DataType DataTypeOf<bool>() { return DataType::DT_BOOL; }
template <> constexpr DataType DataTypeOf<std::string>() { return DataType::DT_STRING; }

}  // namespace tg
