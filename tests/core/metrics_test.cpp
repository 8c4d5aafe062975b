#include "core/metrics.h"

#include <gtest/gtest.h>

namespace tektra {
namespace {

TEST(Metrics, RendersPrometheusText) {
  MetricsRegistry r;
  r.counter("tektra_errors_total", "errors", R"(code="x")").inc(2);
  r.gauge("tektra_sessions", "sessions").set(3);
  auto& h = r.histogram("tektra_stage_seconds", "latency", R"(stage="stt")", {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  std::string text = r.render();
  EXPECT_NE(text.find("# TYPE tektra_errors_total counter\ntektra_errors_total{code=\"x\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("tektra_sessions 3\n"), std::string::npos);
  EXPECT_NE(text.find("tektra_stage_seconds_bucket{stage=\"stt\",le=\"0.1\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tektra_stage_seconds_bucket{stage=\"stt\",le=\"1\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("tektra_stage_seconds_bucket{stage=\"stt\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("tektra_stage_seconds_count{stage=\"stt\"} 3\n"), std::string::npos);
}

TEST(Metrics, MixingTypesUnderOneNameIsAnError) {
  MetricsRegistry r;
  r.counter("m", "help");
  EXPECT_ANY_THROW(r.gauge("m", "help"));
}

TEST(Metrics, HistogramQuantileInterpolates) {
  Histogram h({1, 2, 3, 4});
  for (int i = 0; i < 100; ++i) h.observe(i < 50 ? 0.5 : 2.5);
  auto s = h.snapshot();
  EXPECT_NEAR(s.quantile(0.5), 1.0, 1e-9);
  EXPECT_GT(s.quantile(0.95), 2.0);
  EXPECT_LE(s.quantile(0.95), 3.0);
}

}  // namespace
}  // namespace tektra
