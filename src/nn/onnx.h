// The weights of an ONNX model file: every float tensor it holds, as graph initializers or Constant
// nodes, including those inside subgraphs (If/Loop branches). A protobuf reader written for the
// ONNX schema (github.com/onnx/onnx/blob/main/onnx/onnx.proto); the graph itself is not
// interpreted: a native implementation of the network names the tensors it needs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"

namespace tektra::nn {

struct OnnxTensor {
  std::vector<int64_t> dims;
  std::vector<float> values;  // float32 data, row-major
};

struct OnnxWeights {
  std::map<std::string, OnnxTensor> tensors;  // by name; Constant nodes by their output's name
  const OnnxTensor& at(const std::string& name) const;  // throws Error("invalid_model")
};

// Throws Error("invalid_model") for a file that is not ONNX, is truncated or corrupt, or holds a
// float tensor in a layout this reader does not know (external data).
OnnxWeights read_onnx_weights(const std::filesystem::path& path);
OnnxWeights parse_onnx_weights(const std::string& bytes);

}  // namespace tektra::nn
