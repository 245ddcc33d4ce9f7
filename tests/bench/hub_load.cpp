// Load generator for draaischijf-hub and its HTTPS baseline. Four measurements:
//
//   submit      seals envelopes as a demo device (before the clock starts), then posts them over
//               N keep-alive mTLS connections: accepted durable messages/s, p50/p99 latency
//   get         GETs one path over N keep-alive connections (the baseline server's static file)
//   handshakes  new mTLS connections per second, each with one GET, P at a time
//   idle        opens N connections, each after one GET, and reads the server's resident memory
//               before and after; then asks each connection again to count those still held
//
// Every mode prints `key=value` lines; tools/bench-hub.sh turns them into the report's tables.

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sys/resource.h>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/epoch.hpp>
#include <draaischijf/protocol/pupil.hpp>
#include <draaischijf/server/admin/dev_deployment.hpp>

#include "load_tls.hpp"

namespace draaischijf::bench {
namespace {

using Body = http::vector_body<std::uint8_t>;
using Request = http::request<Body>;

struct Options {
  std::string mode;
  std::uint16_t port = 8443;
  std::filesystem::path pki;  // a development deployment's dev-pki folder
  // A school consulting its CLB about learning (R34): allowed by the hub's policy without a
  // consent, so every envelope the load sends is one the hub must accept.
  std::string from = "school";
  std::string to = "clb";
  std::string path = "/healthz";
  std::size_t connections = 100;
  std::size_t parallel = 8;
  std::size_t size = 2048;
  std::size_t messages = 50000;
  double seconds = 10;
  long pid = 0;  // the server process, for idle
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "hub_load: " << problem << "\n"
            << "usage: hub_load submit|get|handshakes|idle --pki DEV_PKI_DIR [--port 8443]\n"
               "         [--from school] [--to clb] [--connections 100] [--size 2048]\n"
               "         [--messages 50000] [--seconds 10] [--path /healthz] [--parallel 8]\n"
               "         [--pid SERVER_PID]\n";
  std::exit(2);
}

template <class Number>
Number number(const std::string& name, const std::string& text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    usage(name + " needs a number, not '" + text + "'");
  }
  return value;
}

Options parse(int argc, char** argv) {
  Options options;
  if (argc < 2) {
    usage("which measurement?");
  }
  options.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--port") {
      options.port = number<std::uint16_t>(name, value);
    } else if (name == "--pki") {
      options.pki = value;
    } else if (name == "--from") {
      options.from = value;
    } else if (name == "--to") {
      options.to = value;
    } else if (name == "--path") {
      options.path = value;
    } else if (name == "--connections") {
      options.connections = number<std::size_t>(name, value);
    } else if (name == "--parallel") {
      options.parallel = number<std::size_t>(name, value);
    } else if (name == "--size") {
      options.size = number<std::size_t>(name, value);
    } else if (name == "--messages") {
      options.messages = number<std::size_t>(name, value);
    } else if (name == "--seconds") {
      options.seconds = number<double>(name, value);
    } else if (name == "--pid") {
      options.pid = number<long>(name, value);
    } else {
      usage("unknown option " + name);
    }
  }
  if (argc % 2 != 0) {
    usage("every option needs a value");
  }
  if (options.pki.empty()) {
    usage("--pki is required");
  }
  return options;
}

ClientIdentity identity_of(const Options& options) {
  const auto device = options.pki / options.from;
  return {options.pki / "root.pem", device / "device.pem", device / "device.key"};
}

// Connections beyond the default soft limit of open files need the hard limit.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// --- latency and counts ---------------------------------------------------------------------

struct Tally {
  std::vector<std::uint32_t> latency_us;
  std::map<unsigned, std::size_t> statuses;
  std::size_t failed_connections = 0;

  void record(Clock::time_point sent, unsigned status) {
    latency_us.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent).count()));
    ++statuses[status];
  }
  [[nodiscard]] double percentile_ms(double fraction) {
    if (latency_us.empty()) {
      return 0;
    }
    const auto index =
        static_cast<std::size_t>(fraction * static_cast<double>(latency_us.size() - 1));
    std::nth_element(latency_us.begin(), latency_us.begin() + static_cast<std::ptrdiff_t>(index),
                     latency_us.end());
    return latency_us[index] / 1000.0;
  }
  void print(double elapsed, unsigned success_status) {
    const std::size_t ok = statuses[success_status];
    std::printf("elapsed_s=%.3f\nok=%zu\nok_per_s=%.0f\np50_ms=%.2f\np99_ms=%.2f\n", elapsed, ok,
                static_cast<double>(ok) / elapsed, percentile_ms(0.5), percentile_ms(0.99));
    for (const auto& [status, count] : statuses) {
      std::printf("status_%u=%zu\n", status, count);
    }
    std::printf("failed_connections=%zu\n", failed_connections);
  }
};

// --- keep-alive load: submit and get ----------------------------------------------------------

// Hands out the next request to whichever connection is free; nullopt when the run is over.
class Work {
 public:
  Work(std::vector<std::vector<std::uint8_t>> envelopes, std::string get_target,
       Clock::time_point deadline)
      : envelopes_(std::move(envelopes)), get_target_(std::move(get_target)), deadline_(deadline) {}

  std::optional<Request> next() {
    if (Clock::now() >= deadline_) {
      return std::nullopt;
    }
    Request request;
    request.version(11);
    request.set(http::field::host, "localhost");
    if (get_target_.empty()) {
      if (next_ == envelopes_.size()) {
        return std::nullopt;
      }
      request.method(http::verb::post);
      request.target("/v1/envelopes");
      request.set(http::field::content_type, "application/octet-stream");
      request.body() = std::move(envelopes_[next_++]);
    } else {
      request.method(http::verb::get);
      request.target(get_target_);
    }
    request.prepare_payload();
    return request;
  }

 private:
  std::vector<std::vector<std::uint8_t>> envelopes_;
  std::size_t next_ = 0;
  std::string get_target_;
  Clock::time_point deadline_;
};

struct Run {
  ssl::context& context;
  std::uint16_t port;
  std::size_t connected = 0;
  net::steady_timer start_gate;
  Clock::time_point started{};
  Clock::time_point last_answer{};
  Tally tally;
};

net::awaitable<void> keep_alive_worker(Run& run, std::optional<Work>& work) {
  auto stream = co_await connect(run.context, run.port);
  ++run.connected;
  if (stream) {
    co_await run.start_gate.async_wait(kNoThrow);  // every connection is up before the clock runs
  } else {
    ++run.tally.failed_connections;
  }
  beast::flat_buffer buffer;
  while (stream && work) {
    auto request = work->next();
    if (!request) {
      break;
    }
    Answer answer;
    do {
      const auto sent = Clock::now();
      answer = co_await exchange(*stream, buffer, *request);
      run.tally.record(sent, answer.status);
      if (answer.status == 503) {  // refused and stored nothing: wait as told, send again
        net::steady_timer wait(co_await net::this_coro::executor,
                               std::chrono::seconds(answer.retry_after_seconds));
        co_await wait.async_wait(kNoThrow);
      }
    } while (answer.status == 503);
    run.last_answer = Clock::now();
    if (answer.status == 0) {
      ++run.tally.failed_connections;
      break;
    }
  }
}

void run_keep_alive(const Options& options, std::vector<std::vector<std::uint8_t>> envelopes,
                    const std::string& get_target, unsigned success_status) {
  net::io_context ioc(1);
  auto context = client_context(identity_of(options));
  Run run{*context, options.port, 0, net::steady_timer(ioc), {}, {}, {}};
  run.start_gate.expires_at(Clock::time_point::max());
  std::optional<Work> work;
  for (std::size_t i = 0; i < options.connections; ++i) {
    net::co_spawn(ioc, keep_alive_worker(run, work), net::detached);
  }
  // Open every connection first; the measured run starts when all handshakes are done.
  while (run.connected < options.connections) {
    ioc.run_one();
  }
  const auto seconds =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  run.started = Clock::now();
  work.emplace(std::move(envelopes), get_target, run.started + seconds);
  run.start_gate.cancel();
  ioc.run();
  run.tally.print(std::chrono::duration<double>(run.last_answer - run.started).count(),
                  success_status);
  std::printf("connections=%zu\n", options.connections);
}

// --- sealing the envelopes for submit ----------------------------------------------------------

std::vector<std::uint8_t> base64_field(const boost::json::value& object, const char* field) {
  return protocol::base64_decode(std::string(object.at(field).as_string())).value();
}

// The sender's device certificate and the recipient's current mailbox epoch, from the hub's
// directory, as a client would fetch them.
net::awaitable<std::pair<std::string, std::string>> fetch_directory(ssl::context& context,
                                                                    const Options& options,
                                                                    std::string device_target,
                                                                    std::string mailbox_target) {
  auto stream = co_await connect(context, options.port);
  if (!stream) {
    throw std::runtime_error("cannot connect to the hub on port " + std::to_string(options.port));
  }
  beast::flat_buffer buffer;
  auto device = get_request(device_target, true);
  auto mailboxes = get_request(mailbox_target, true);
  Answer device_answer = co_await exchange(*stream, buffer, device);
  Answer mailbox_answer = co_await exchange(*stream, buffer, mailboxes);
  if (device_answer.status != 200 || mailbox_answer.status != 200) {
    throw std::runtime_error("the hub's directory did not answer: " + device_answer.body +
                             mailbox_answer.body);
  }
  co_return std::pair{std::move(device_answer.body), std::move(mailbox_answer.body)};
}

std::vector<std::vector<std::uint8_t>> seal_envelopes(const Options& options) {
  const auto keys = server::load_dev_device_keys(options.pki / options.from);
  const auto recipient = server::load_dev_organisation_key(options.pki / options.to);
  net::io_context ioc;
  auto context = client_context(identity_of(options));
  auto future = net::co_spawn(
      ioc,
      fetch_directory(*context, options, "/v1/devices/" + protocol::hex_encode(keys.device_id),
                      "/v1/organisations/" + protocol::hex_encode(recipient.org_id) + "/mailboxes"),
      net::use_future);
  ioc.run();
  const auto [device_json, mailboxes_json] = future.get();
  const auto certificate = protocol::parse_device_certificate(
                               base64_field(boost::json::parse(device_json), "certificate"))
                               .value();
  const auto mailbox = boost::json::parse(mailboxes_json).at("mailboxes").at(0);
  const std::vector epoch{
      protocol::parse_epoch_certificate(base64_field(mailbox, "certificate")).value()};

  std::vector<std::vector<std::uint8_t>> envelopes(options.messages);
  const std::string text(options.size, 'x');
  auto seal_range = [&](std::size_t begin, std::size_t end) {
    protocol::Draft draft;
    draft.kind = protocol::MessageKind::consultatie;
    // A pupil the school names with a salt of the load's own: the hub sees only the pseudonym.
    draft.pupil = protocol::PupilBinding{"bench-leerling",
                                         protocol::hash256("draaischijf-bench/pupil-salt", {})};
    draft.fragments.push_back(
        {protocol::DataCategory::leren_en_studeren, protocol::GuidanceDomain::none, "text/plain",
         protocol::SecretBytes::copy_of(
             {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()})});
    for (std::size_t i = begin; i < end; ++i) {
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch());
      envelopes[i] = protocol::seal(draft, {certificate, keys.signing, i + 1}, epoch,
                                    static_cast<std::uint64_t>(now.count()))
                         .value();
    }
  };
  std::thread other(seal_range, 0, options.messages / 2);
  seal_range(options.messages / 2, options.messages);
  other.join();
  std::printf("envelope_bytes=%zu\n", envelopes.empty() ? 0 : envelopes.front().size());
  return envelopes;
}

// --- handshakes -------------------------------------------------------------------------------

net::awaitable<void> handshake_worker(ssl::context& context, const Options& options,
                                      Clock::time_point deadline, Tally& tally) {
  while (Clock::now() < deadline) {
    const auto started = Clock::now();
    auto stream = co_await connect(context, options.port);
    if (!stream) {
      ++tally.failed_connections;
      continue;
    }
    beast::flat_buffer buffer;
    auto request = get_request(options.path, false);
    const Answer answer = co_await exchange(*stream, buffer, request);
    tally.record(started, answer.status);
    beast::error_code ignored;
    beast::get_lowest_layer(*stream).socket().close(ignored);
  }
}

void run_handshakes(const Options& options) {
  net::io_context ioc(1);
  auto context = client_context(identity_of(options));
  Tally tally;
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(options.seconds));
  for (std::size_t i = 0; i < options.parallel; ++i) {
    net::co_spawn(ioc, handshake_worker(*context, options, deadline, tally), net::detached);
  }
  ioc.run();
  tally.print(seconds_since(started), 200);
}

// --- idle connections -------------------------------------------------------------------------

std::size_t resident_kib(long pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stoul(line.substr(6));
    }
  }
  throw std::runtime_error("no process " + std::to_string(pid));
}

net::awaitable<void> open_idle(ssl::context& context, const Options& options,
                               std::vector<std::unique_ptr<Stream>>& streams, std::size_t& next,
                               std::size_t& opened) {
  while (next < streams.size()) {
    const std::size_t slot = next++;
    auto stream = co_await connect(context, options.port);
    if (!stream) {
      continue;
    }
    beast::flat_buffer buffer;
    auto request = get_request(options.path, true);
    if ((co_await exchange(*stream, buffer, request)).status == 200) {
      streams[slot] = std::move(stream);
      ++opened;
    }
  }
}

net::awaitable<void> ask_again(std::vector<std::unique_ptr<Stream>>& streams, std::size_t& next,
                               const std::string& path, std::size_t& answered) {
  while (next < streams.size()) {
    auto& stream = streams[next++];
    if (!stream) {
      continue;
    }
    beast::flat_buffer buffer;
    auto request = get_request(path, true);
    if ((co_await exchange(*stream, buffer, request)).status == 200) {
      ++answered;
    }
  }
}

void run_idle(const Options& options) {
  if (options.pid <= 0) {
    usage("idle needs --pid of the server process");
  }
  net::io_context ioc(1);
  auto context = client_context(identity_of(options));
  const std::size_t before = resident_kib(options.pid);
  std::vector<std::unique_ptr<Stream>> streams(options.connections);
  std::size_t next = 0;
  std::size_t opened = 0;
  for (std::size_t i = 0; i < options.parallel; ++i) {
    net::co_spawn(ioc, open_idle(*context, options, streams, next, opened), net::detached);
  }
  ioc.run();
  std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
  const std::size_t after = resident_kib(options.pid);
  ioc.restart();
  next = 0;
  std::size_t answered = 0;
  for (std::size_t i = 0; i < options.parallel; ++i) {
    net::co_spawn(ioc, ask_again(streams, next, options.path, answered), net::detached);
  }
  ioc.run();
  std::printf(
      "requested=%zu\nopened=%zu\nheld=%zu\nrss_before_kib=%zu\nrss_after_kib=%zu\n"
      "kib_per_connection=%.1f\n",
      options.connections, opened, answered, before, after,
      opened == 0 ? 0.0 : static_cast<double>(after - before) / static_cast<double>(opened));
}

}  // namespace
}  // namespace draaischijf::bench

int main(int argc, char** argv) {
  using namespace draaischijf::bench;
  const Options options = parse(argc, argv);
  raise_open_file_limit();
  try {
    if (options.mode == "submit") {
      run_keep_alive(options, seal_envelopes(options), "", 201);
    } else if (options.mode == "get") {
      run_keep_alive(options, {}, options.path, 200);
    } else if (options.mode == "handshakes") {
      run_handshakes(options);
    } else if (options.mode == "idle") {
      run_idle(options);
    } else {
      usage("unknown measurement " + options.mode);
    }
  } catch (const std::exception& failure) {
    std::cerr << "hub_load: " << failure.what() << "\n";
    return 1;
  }
  return 0;
}
