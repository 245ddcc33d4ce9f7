// Seal+sign and verify+open of envelope v1 for 2 KiB, 64 KiB and 5 MiB to 1, 3 and 10 recipient
// mailboxes, next to the limit measured in the same run: libsodium's raw ChaCha20-Poly1305 over
// the same number of bytes in one call. At the end it prints each figure as a ratio to that
// baseline. Wall-clock time is used throughout because sealing large envelopes uses two threads.
//
//   build/bench/bin/protocol_bench [--benchmark_repetitions=5 ...]

#include <cstdio>
#include <map>
#include <string>

#include <benchmark/benchmark.h>
#include <sodium.h>

#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/epoch.hpp>

#include "bench_main.hpp"

namespace {

using namespace draaischijf::protocol;

constexpr std::uint64_t kNowMs = 1'800'000'000'000;

struct World {
  SigningKey org_key = SigningKey::generate();
  Id org_id = random_id();
  SigningKey device_key = SigningKey::generate();
  DeviceCertificate device;
  std::vector<MailboxEpochCertificate> mailboxes;
  std::vector<EpochSeed> seeds;
  TrustStore trust;

  World() {
    DeviceCertificate c;
    c.org_id = org_id;
    c.device_id = random_id();
    c.signing_key = device_key.public_key();
    c.not_after = ~std::uint64_t{0};
    device = issue(c, org_key);
    for (int i = 0; i < 10; ++i) {
      seeds.push_back(EpochSeed::random());
      MailboxEpochCertificate m;
      m.mailbox_id = random_id();
      m.org_id = org_id;
      m.mailbox_key = mailbox_identity(seeds.back()).public_key();
      m.not_after = ~std::uint64_t{0};
      mailboxes.push_back(issue(m, org_key));
    }
    trust.add(org_id, org_key.public_key());
  }

  static Draft draft(std::size_t size) {
    Draft d;
    d.kind = MessageKind::doorverwijzing;
    d.purpose = Purpose::doorverwijzing;
    d.pupil = PupilBinding{"bench-leerling", hash256("draaischijf-bench/pupil-salt", {})};
    d.fragments.push_back({DataCategory::psychisch_sociaal, GuidanceDomain::none, "text/plain",
                           SecretBytes::random(size)});
    return d;
  }
};

World& world() {
  static World w;
  return w;
}

void BM_RawChaCha20Poly1305(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint8_t> in(size, 0x42);
  std::vector<std::uint8_t> out(size + 16);
  const auto key = SecretKey<32>::random();
  std::array<std::uint8_t, 12> nonce{};
  for (auto _ : state) {
    crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), nullptr, in.data(), in.size(), nullptr, 0,
                                              nullptr, nonce.data(), key.expose().data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

// The other half of the work: the signature must commit to every plaintext byte, so sealing
// hashes the signed region with BLAKE2b (libsodium's fastest hash) as well as encrypting it.
void BM_RawBlake2b(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  std::vector<std::uint8_t> in(size, 0x42);
  std::array<std::uint8_t, 32> digest{};
  for (auto _ : state) {
    crypto_generichash(digest.data(), digest.size(), in.data(), in.size(), nullptr, 0);
    benchmark::DoNotOptimize(digest.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

void BM_SealSign(benchmark::State& state) {
  World& w = world();
  const auto size = static_cast<std::size_t>(state.range(0));
  const auto recipients = std::span(w.mailboxes).first(static_cast<std::size_t>(state.range(1)));
  const Draft d = World::draft(size);
  std::uint64_t sequence = 0;
  for (auto _ : state) {
    auto sealed = seal(d, {w.device, w.device_key, ++sequence}, recipients, kNowMs);
    benchmark::DoNotOptimize(sealed);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

// The same with a reused output buffer, as a sender sealing many envelopes would do: without
// the page faults of a fresh multi-MiB buffer, comparable to the raw AEAD's reused buffer.
void BM_SealSignReusedBuffer(benchmark::State& state) {
  World& w = world();
  const auto size = static_cast<std::size_t>(state.range(0));
  const auto recipients = std::span(w.mailboxes).first(static_cast<std::size_t>(state.range(1)));
  const Draft d = World::draft(size);
  std::vector<std::uint8_t> out;
  std::uint64_t sequence = 0;
  for (auto _ : state) {
    auto sealed = seal_into(d, {w.device, w.device_key, ++sequence}, recipients, kNowMs, out);
    benchmark::DoNotOptimize(sealed);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

void BM_VerifyOpen(benchmark::State& state) {
  World& w = world();
  const auto size = static_cast<std::size_t>(state.range(0));
  const auto count = static_cast<std::size_t>(state.range(1));
  const auto recipients = std::span(w.mailboxes).first(count);
  const auto envelope =
      seal(World::draft(size), {w.device, w.device_key, 1}, recipients, kNowMs).value();
  // The last recipient opens: the worst case for finding its stanza.
  MailboxKeyring keyring;
  keyring.add(recipients.back().mailbox_id, 0, mailbox_identity(w.seeds[count - 1]));
  for (auto _ : state) {
    auto opened = open(envelope, keyring, w.trust);
    if (!opened) {
      state.SkipWithError(opened.error().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}

constexpr std::int64_t kSizes[] = {2 * 1024, 64 * 1024, 5 * 1024 * 1024};

void register_benchmarks() {
  for (const std::int64_t size : kSizes) {
    benchmark::RegisterBenchmark("raw_chacha20poly1305", BM_RawChaCha20Poly1305)
        ->Arg(size)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("raw_blake2b", BM_RawBlake2b)
        ->Arg(size)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
  const std::pair<const char*, void (*)(benchmark::State&)> kinds[] = {
      {"seal_sign", BM_SealSign},
      {"seal_sign_reused_buffer", BM_SealSignReusedBuffer},
      {"verify_open", BM_VerifyOpen}};
  for (const auto& [name, function] : kinds) {
    for (const std::int64_t size : kSizes) {
      for (const std::int64_t recipients : {1, 3, 10}) {
        benchmark::RegisterBenchmark(name, function)
            ->Args({size, recipients})
            ->UseRealTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

// Prints the normal console output, then every seal/open figure as a ratio to the raw AEAD of the
// same size from this same run.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration || run.aggregate_name == "median") {
        const std::string name = run.benchmark_name();
        medians_[name.substr(0, name.find("_median"))] = run.GetAdjustedRealTime();
      }
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\nRatio to raw ChaCha20-Poly1305 of the same size (same run):\n");
    for (const auto& [name, time] : medians_) {
      if (name.rfind("raw_chacha20poly1305", 0) == 0) {
        continue;
      }
      const std::size_t first = name.find('/') + 1;
      const std::string size = name.substr(first, name.find('/', first) - first);
      const auto raw = medians_.find("raw_chacha20poly1305/" + size + "/real_time");
      if (raw != medians_.end()) {
        std::printf("  %-40s %10.1f us  %6.2fx\n", name.c_str(), time, time / raw->second);
      }
    }
  }

 private:
  std::map<std::string, double> medians_;
};

}  // namespace

int main(int argc, char** argv) {
  return draaischijf::bench::run_benchmarks<RatioReporter>(argc, argv, register_benchmarks);
}
