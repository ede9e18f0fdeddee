#include "base/clock.h"

namespace hm::base {

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace hm::base
