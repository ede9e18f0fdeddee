#include "base/metrics.h"

#include <gtest/gtest.h>

namespace hm::base {
namespace {

TEST(MetricsTest, RendersPrometheusText) {
  MetricsRegistry reg;
  reg.GetCounter("hm_requests_total", "Requests.", {{"route", "/healthz"}}).Inc(3);
  reg.GetGauge("hm_chain_height", "Height.").Set(7);
  auto& h = reg.GetHistogram("hm_latency_seconds", "Latency.", {0.1, 1.0});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  std::string text = reg.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE hm_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("hm_requests_total{route=\"/healthz\"} 3"), std::string::npos);
  EXPECT_NE(text.find("hm_chain_height 7"), std::string::npos);
  EXPECT_NE(text.find("hm_latency_seconds_bucket{le=\"0.1\"} 1"), std::string::npos);
  EXPECT_NE(text.find("hm_latency_seconds_bucket{le=\"1\"} 2"), std::string::npos);
  EXPECT_NE(text.find("hm_latency_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("hm_latency_seconds_count 3"), std::string::npos);
}

TEST(MetricsTest, SameNameAndLabelsIsSameInstrument) {
  MetricsRegistry reg;
  auto& a = reg.GetCounter("c_total", "C.", {{"k", "v"}});
  auto& b = reg.GetCounter("c_total", "C.", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
}

}  // namespace
}  // namespace hm::base
