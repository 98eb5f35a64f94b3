// A fingerprint of a D4RL file's arrays, stored in generated files (metadata/romi_fingerprint) so
// that a cached file whose contents changed on disk (a flipped bit, a partial copy that still
// parses) is detected instead of silently used.
#ifndef ROMI_DATA_FINGERPRINT_H_
#define ROMI_DATA_FINGERPRINT_H_

#include <string>

#include "data/d4rl_file.h"

namespace romi::data {

// 16 hex digits: a 64-bit FNV-1a hash over the shapes and float32 bytes of observations, actions,
// rewards, terminals, timeouts, next_observations and infos/* (in key order); metadata excluded.
std::string FingerprintArrays(const D4rlFile& file);

}  // namespace romi::data

#endif  // ROMI_DATA_FINGERPRINT_H_
