// Wall-clock timestamps as stored in records: milliseconds since the Unix epoch.
#include <chrono>

#include "store/store.h"

namespace tektra {

int64_t unix_millis_now() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace tektra
