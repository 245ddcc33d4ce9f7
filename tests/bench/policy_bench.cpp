// Policy decisions per second for typical requests, next to two baselines measured in the same
// run: copying the Request (what any hand-off of a request costs) and BLAKE2b-256 over 256
// bytes (about the size of an envelope's labels, hashed once per message anyway). At the end
// it prints each figure as decisions/s and as a ratio to both baselines.
//
//   build/policy-release/bin/policy_bench [--benchmark_repetitions=5 ...]
//
// The rule set is the project's Flemish rule file, loaded as the hub loads it: verified under a
// (fresh) operator key, then parsed and compiled.

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <benchmark/benchmark.h>
#include <sodium.h>

#include <draaischijf/policies/case_table.hpp>
#include <draaischijf/policies/decision.hpp>

#include "bench_main.hpp"

namespace {

using namespace draaischijf;
using namespace draaischijf::policies;

std::string read_rules() {
  std::ifstream in(std::string(DRAAISCHIJF_SOURCE_DIR) + "/policies/rules/flemish-clb.rules",
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct World {
  std::string text = read_rules();
  protocol::SigningKey operator_key = protocol::SigningKey::generate();
  protocol::Signature signature = sign_rule_set(text, operator_key);
  RuleSet rules = load_rule_set(text, signature, operator_key.public_key()).value();

  // A CLB psychologist refers a 13-year-old to a CAW with the pupil's consent: allow (R06).
  Request referral = request(
      "date = 2026-03-10; born = 2012-11-02; pupil = p-7f3a; sender = clb/clb_psycholoog; "
      "sender_org_id = clb-gent; recipient = caw/partner_intake; recipient_org_id = caw-gent; "
      "kind = doorverwijzing; purpose = doorverwijzing; "
      "categories = identificatie, psychisch_sociaal, doorverwijzing; "
      "consent = id=3f9c2a71d04b5e88a1c6f0e2d9b47a13 giver=leerling org_ids=caw-gent "
      "categories=psychisch_sociaal,doorverwijzing purposes=doorverwijzing "
      "from=2026-02-01 until=2026-08-31 channel=schriftelijk");
  // A school's care coordinator signals a concern to its CLB: allow (R34).
  Request signal = request(
      "date = 2026-03-10; born = 2016-04-20; pupil = p-11c0; sender = "
      "school/school_zorgcoordinator; "
      "recipient = clb/clb_onthaal; kind = signaal; purpose = begeleiding; "
      "categories = identificatie, leren_en_studeren, psychisch_sociaal");
  // A school sends psychosocial data straight to a CAW: deny (R35).
  Request denied = request(
      "date = 2026-03-10; born = 2012-11-02; pupil = p-7f3a; sender = school/school_directie; "
      "recipient = caw/partner_intake; kind = doorverwijzing; purpose = doorverwijzing; "
      "categories = psychisch_sociaal");

  static Request request(std::string_view text) { return parse_request(text).value(); }
};

World& world() {
  static World w;
  return w;
}

const Request& request_named(int which) {
  World& w = world();
  return which == 0 ? w.referral : which == 1 ? w.signal : w.denied;
}

void BM_BaselineCopyRequest(benchmark::State& state) {
  const Request& source = world().referral;
  for (auto _ : state) {
    Request copy = source;
    benchmark::DoNotOptimize(copy);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_BaselineBlake2b256Bytes(benchmark::State& state) {
  std::array<std::uint8_t, 256> in{};
  std::array<std::uint8_t, 32> out{};
  for (auto _ : state) {
    crypto_generichash(out.data(), out.size(), in.data(), in.size(), nullptr, 0);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// A fresh Decision per request (its reasons are allocated each time).
void BM_Evaluate(benchmark::State& state) {
  const RuleSet& rules = world().rules;
  const Request& request = request_named(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Decision decision = evaluate(rules, request);
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
}

// One Decision reused by a worker: the strings keep their buffers.
void BM_EvaluateInto(benchmark::State& state) {
  const RuleSet& rules = world().rules;
  const Request& request = request_named(static_cast<int>(state.range(0)));
  Decision decision;
  for (auto _ : state) {
    evaluate_into(rules, request, decision);
    benchmark::DoNotOptimize(decision);
  }
  state.SetItemsProcessed(state.iterations());
}

// The one-off cost of a rule-set (re)load: signature check, parse and compile.
void BM_LoadRuleSet(benchmark::State& state) {
  World& w = world();
  for (auto _ : state) {
    auto rules = load_rule_set(w.text, w.signature, w.operator_key.public_key());
    benchmark::DoNotOptimize(rules);
  }
  state.SetItemsProcessed(state.iterations());
}

void register_benchmarks() {
  benchmark::RegisterBenchmark("baseline_copy_request", BM_BaselineCopyRequest);
  benchmark::RegisterBenchmark("baseline_blake2b_256B", BM_BaselineBlake2b256Bytes);
  const char* names[] = {"clb_caw_referral_consent", "school_clb_signaal", "school_caw_denied"};
  for (int which = 0; which < 3; ++which) {
    benchmark::RegisterBenchmark((std::string("evaluate/") + names[which]).c_str(), BM_Evaluate)
        ->Arg(which);
    benchmark::RegisterBenchmark((std::string("evaluate_into/") + names[which]).c_str(),
                                 BM_EvaluateInto)
        ->Arg(which);
  }
  benchmark::RegisterBenchmark("load_rule_set", BM_LoadRuleSet)->Unit(benchmark::kMicrosecond);
}

// Prints the normal console output, then each figure as decisions per second and as a ratio to
// the two baselines of this same run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration || run.aggregate_name == "median") {
        std::string name = run.benchmark_name();
        name = name.substr(0, name.find("_median"));
        // Nanoseconds per item, whatever unit the benchmark reports in.
        nanoseconds_[name] =
            run.GetAdjustedRealTime() * (run.time_unit == benchmark::kMicrosecond ? 1e3 : 1.0);
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    const double copy = nanoseconds_["baseline_copy_request"];
    const double hash = nanoseconds_["baseline_blake2b_256B"];
    std::printf("\n%-44s %10s %14s %10s %10s\n", "benchmark", "ns", "per second", "x copy",
                "x blake2b");
    for (const auto& [name, ns] : nanoseconds_) {
      std::printf("%-44s %10.1f %14.0f %10.2f %10.2f\n", name.c_str(), ns, 1e9 / ns, ns / copy,
                  ns / hash);
    }
  }

 private:
  std::map<std::string, double> nanoseconds_;
};

}  // namespace

int main(int argc, char** argv) {
  return draaischijf::bench::run_benchmarks<RatioReporter>(argc, argv, register_benchmarks);
}
