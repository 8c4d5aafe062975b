// Reading and writing RIFF/WAVE files: PCM 8/16/24/32-bit, IEEE float 32/64, any rate and channels.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "audio/audio_buffer.h"

namespace tektra {

// Parses a WAV image; samples are converted to 16-bit. Throws Error("invalid_audio") with the
// reason for anything that is not a well-formed, supported WAV (not RIFF, truncated,
// compressed...).
AudioBuffer parse_wav(std::span<const uint8_t> bytes);
AudioBuffer read_wav(const std::filesystem::path& path);  // also Error("io_error") if unreadable

// 16-bit PCM WAV image / file.
std::vector<uint8_t> encode_wav(const AudioBuffer& audio);
void write_wav(const std::filesystem::path& path, const AudioBuffer& audio);

// Headerless 16-bit little-endian PCM.
AudioBuffer read_raw_pcm16(const std::filesystem::path& path, int sample_rate, int channels);

}  // namespace tektra
