// Load generator for draaischijf-hub and its HTTPS baseline. Four measurements:
//
//   submit      seals envelopes as a demo device (before the clock starts), then posts them over
//               N keep-alive mTLS connections: accepted durable messages/s, p50/p99 latency
//   get         GETs one path over N keep-alive connections (the baseline server's static file)
//   handshakes  new mTLS connections per second, each with one GET, P at a time
//   idle        opens N connections, each after one GET, and reads the server's resident memory
//               before and after; then asks each connection again to count those still held
//   idle-streams  opens N notification streams (GET /v1/stream, WebSocket), spread over the
//               deployment's staff devices, reads the server's resident memory once they are
//               idle, pings every stream (each must answer with a pong), and reads it again
//   fanout      opens --streams notification streams of the recipient's staff device (members
//               of its mailbox), posts probes to that mailbox at --probe-rate/s on one
//               connection while --connections others post background envelopes at --rate/s
//               (from --background-from to --background-to, a mailbox no stream is on):
//               the time from each probe's sending to its notification on every stream
//   burst       the morning burst: queues --queued envelopes in the mailbox of each of two
//               organisations (as submit posts them: --from to --to, --background-from to
//               --background-to), then --devices staff devices of the recipients reconnect,
//               evenly spread over --window seconds, each with new mTLS handshakes: it opens its
//               notification stream and catches up by cursor as the client does (the
//               organisation's mailboxes, the entries after its cursor, their envelopes fetched in
//               one batch and their delivery acknowledged in one request; --catch-up one-by-one
//               fetches and acknowledges each alone), waiting out every 429 or 503 for its
//               Retry-After: devices caught up, refusals, failures, when the last one caught up,
//               per-device catch-up time, against the catch-up of 10 devices reconnecting one at a
//               time on the idle hub just before. Exits 1 when a device did not catch up or a
//               request failed otherwise than by a refusal with Retry-After. --threads spreads the
//               devices over more generator threads (for a generator on a machine of its own)
//
// Every mode prints `key=value` lines; tools/bench-hub.sh turns them into the report's tables.

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>

#include <draaischijf/protocol/certificate.hpp>
#include <draaischijf/protocol/encoding.hpp>
#include <draaischijf/protocol/envelope.hpp>
#include <draaischijf/protocol/envelope_batch.hpp>
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
  long pid = 0;  // the server process, for idle and idle-streams
  protocol::MessageKind kind = protocol::MessageKind::consultatie;
  protocol::Purpose purpose = protocol::Purpose::begeleiding;
  protocol::DataCategory category = protocol::DataCategory::leren_en_studeren;
  // fanout: the streams, the probes and the background load
  std::size_t streams = 50;
  double probe_rate = 20;
  double rate = 0;  // background envelopes per second over all connections; 0: as fast as answered
  // The CLB's aggregated figures for the school (R29, the datadialoog): allowed without a
  // consent, and to a mailbox the probes' streams are not on.
  std::string background_from = "clb";
  std::string background_to = "school";
  protocol::MessageKind background_kind = protocol::MessageKind::terugkoppeling;
  protocol::Purpose background_purpose = protocol::Purpose::datadialoog;
  protocol::DataCategory background_category = protocol::DataCategory::geaggregeerd;
  // burst: the devices that reconnect, the window they reconnect in, what waits in each mailbox
  std::size_t devices = 5000;
  double window = 10;
  std::size_t queued = 20;
  std::size_t threads = 1;  // the generator's threads, each with its share of the devices
  // burst: a page's envelopes in one request and their acknowledgements in another (batch, as
  // the client does), or each envelope fetched and acknowledged alone (one-by-one)
  std::string catch_up = "batch";
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "hub_load: " << problem << "\n"
            << "usage: hub_load submit|get|handshakes|idle|idle-streams|fanout|burst\n"
               "         --pki DEV_PKI_DIR\n"
               "         [--port 8443] [--from school] [--to clb] [--kind consultatie]\n"
               "         [--connections 100] [--size 2048] [--messages 50000] [--seconds 10]\n"
               "         [--path /healthz] [--parallel 8] [--pid SERVER_PID] [--rate 0]\n"
               "         [--streams 50] [--probe-rate 20] [--background-from clb]\n"
               "         [--background-to school] [--background-kind terugkoppeling]\n"
               "         [--purpose begeleiding] [--category leren_en_studeren]\n"
               "         [--background-purpose datadialoog] [--background-category geaggregeerd]\n"
               "         [--devices 5000] [--window 10] [--queued 20] [--threads 1]\n"
               "         [--catch-up batch|one-by-one]\n";
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
    } else if (name == "--kind" || name == "--background-kind") {
      const auto kind = protocol::parse_name<protocol::MessageKind>(value);
      if (!kind) {
        usage(name + " needs a message kind (consultatie, terugkoppeling, ...), not " + value);
      }
      (name == "--kind" ? options.kind : options.background_kind) = *kind;
    } else if (name == "--purpose" || name == "--background-purpose") {
      const auto purpose = protocol::parse_name<protocol::Purpose>(value);
      if (!purpose) {
        usage(name + " needs a purpose (consultatie, datadialoog, ...), not " + value);
      }
      (name == "--purpose" ? options.purpose : options.background_purpose) = *purpose;
    } else if (name == "--category" || name == "--background-category") {
      const auto category = protocol::parse_name<protocol::DataCategory>(value);
      if (!category) {
        usage(name + " needs a data category (leren_en_studeren, ...), not " + value);
      }
      (name == "--category" ? options.category : options.background_category) = *category;
    } else if (name == "--streams") {
      options.streams = number<std::size_t>(name, value);
    } else if (name == "--probe-rate") {
      options.probe_rate = number<double>(name, value);
    } else if (name == "--rate") {
      options.rate = number<double>(name, value);
    } else if (name == "--background-from") {
      options.background_from = value;
    } else if (name == "--background-to") {
      options.background_to = value;
    } else if (name == "--devices") {
      options.devices = number<std::size_t>(name, value);
    } else if (name == "--window") {
      options.window = number<double>(name, value);
    } else if (name == "--queued") {
      options.queued = number<std::size_t>(name, value);
    } else if (name == "--threads") {
      options.threads = number<std::size_t>(name, value);
    } else if (name == "--catch-up") {
      if (value != "batch" && value != "one-by-one") {
        usage("--catch-up is batch or one-by-one, not " + value);
      }
      options.catch_up = value;
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

// The options with the background load's sender, recipient and labels as the load's own (the
// fan-out's background, the burst's second mailbox).
Options background_of(const Options& options) {
  Options background = options;
  background.from = options.background_from;
  background.to = options.background_to;
  background.kind = options.background_kind;
  background.purpose = options.background_purpose;
  background.category = options.background_category;
  return background;
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

Clock::duration seconds_of(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

net::awaitable<void> wait_until(Clock::time_point when) {
  net::steady_timer timer(co_await net::this_coro::executor, when);
  co_await timer.async_wait(kNoThrow);
}

// --- CPU use ---------------------------------------------------------------------------------

// CPU time a process has used (user and system), in seconds.
double cpu_seconds(long pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 0; i < 13 && fields >> field; ++i) {
    if (i >= 11) {  // utime and stime, the 14th and 15th fields of the line
      ticks += std::stod(field);
    }
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
  rusage used{};
  getrusage(RUSAGE_SELF, &used);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(used.ru_utime) + seconds(used.ru_stime);
}

struct CpuUse {
  double hub = 0;
  double generator = 0;
};

CpuUse cpu_use(const Options& options) {
  return {options.pid > 0 ? cpu_seconds(options.pid) : 0, own_cpu_seconds()};
}

// The CPU the hub and this program spent per successful answer during the measured run: with
// both on one machine, their sum bounds the rate the machine can reach (docs/BENCHMARKS.md).
void print_cpu_per_answer(const Options& options, const CpuUse& cpu, std::size_t answers) {
  if (answers == 0) {
    return;
  }
  const double per = 1e6 / static_cast<double>(answers);
  std::printf("load_cpu_us_per_ok=%.0f\n", cpu.generator * per);
  if (options.pid > 0) {
    std::printf("hub_cpu_us_per_ok=%.0f\n", cpu.hub * per);
  }
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
  // `rate`: requests per second over all connections, each due at its time from `started`
  // (0: each as soon as a connection is free).
  Work(std::vector<std::vector<std::uint8_t>> envelopes, std::string get_target,
       Clock::time_point started, Clock::time_point deadline, double rate = 0)
      : envelopes_(std::move(envelopes)),
        get_target_(std::move(get_target)),
        started_(started),
        deadline_(deadline),
        rate_(rate) {}

  /// When the request next() hands out next is due.
  [[nodiscard]] Clock::time_point due() const {
    if (rate_ <= 0) {
      return Clock::now();
    }
    return started_ + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(static_cast<double>(handed_out_) / rate_));
  }

  std::optional<Request> next() {
    if (Clock::now() >= deadline_) {
      return std::nullopt;
    }
    ++handed_out_;
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
  std::size_t handed_out_ = 0;
  std::string get_target_;
  Clock::time_point started_;
  Clock::time_point deadline_;
  double rate_ = 0;
};

struct Run {
  ssl::context& context;
  std::uint16_t port;
  std::size_t connected = 0;
  net::steady_timer start_gate;
  Clock::time_point started{};
  Clock::time_point last_answer{};
  Tally tally;
  // Called with each accepted answer's body and the time its request was due (fanout).
  std::function<void(const std::string&, Clock::time_point)> on_accepted;
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
    const auto due = work->due();
    auto request = work->next();
    if (!request) {
      break;
    }
    if (due > Clock::now()) {  // a paced run: latency counts from when the request was due
      co_await wait_until(due);
    }
    Answer answer;
    do {
      const auto sent = std::min(due, Clock::now());
      answer = co_await exchange(*stream, buffer, *request);
      run.tally.record(sent, answer.status);
      if (answer.status == 201 && run.on_accepted) {
        run.on_accepted(answer.body, sent);
      }
      if (answer.status == 503) {  // refused and stored nothing: wait as told, send again
        co_await wait_until(Clock::now() + std::chrono::seconds(answer.retry_after_seconds));
      }
    } while (answer.status == 503);
    run.last_answer = Clock::now();
    if (answer.status == 0) {
      ++run.tally.failed_connections;
      break;
    }
  }
}

struct LoadResult {
  Tally tally;
  double elapsed = 0;  // from the start of the measured run to its last answer
  CpuUse cpu;          // used by the hub (with --pid) and by this program during the run
};

// Sends the envelopes (or GETs `get_target`) over --connections keep-alive connections until
// they or --seconds run out.
LoadResult keep_alive_load(const Options& options, std::vector<std::vector<std::uint8_t>> envelopes,
                           const std::string& get_target) {
  net::io_context ioc(1);
  auto context = client_context(identity_of(options));
  Run run{*context, options.port, 0, net::steady_timer(ioc), {}, {}, {}, {}};
  run.start_gate.expires_at(Clock::time_point::max());
  std::optional<Work> work;
  for (std::size_t i = 0; i < options.connections; ++i) {
    net::co_spawn(ioc, keep_alive_worker(run, work), net::detached);
  }
  // Open every connection first; the measured run starts when all handshakes are done.
  while (run.connected < options.connections) {
    ioc.run_one();
  }
  run.started = Clock::now();
  work.emplace(std::move(envelopes), get_target, run.started,
               run.started + seconds_of(options.seconds));
  const CpuUse before = cpu_use(options);
  run.start_gate.cancel();
  ioc.run();
  const CpuUse after = cpu_use(options);
  return {std::move(run.tally),
          std::chrono::duration<double>(run.last_answer - run.started).count(),
          {after.hub - before.hub, after.generator - before.generator}};
}

void run_keep_alive(const Options& options, std::vector<std::vector<std::uint8_t>> envelopes,
                    const std::string& get_target, unsigned success_status) {
  auto [tally, elapsed, cpu] = keep_alive_load(options, std::move(envelopes), get_target);
  tally.print(elapsed, success_status);
  std::printf("connections=%zu\n", options.connections);
  print_cpu_per_answer(options, cpu, tally.statuses[success_status]);
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
    draft.kind = options.kind;
    draft.purpose = options.purpose;
    // A pupil the school names with a salt of the load's own: the hub sees only the pseudonym.
    draft.pupil = protocol::PupilBinding{"bench-leerling",
                                         protocol::hash256("draaischijf-bench/pupil-salt", {})};
    draft.fragments.push_back(
        {options.category, protocol::GuidanceDomain::none, "text/plain",
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
  const auto deadline = started + seconds_of(options.seconds);
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

// --- idle notification streams ------------------------------------------------------------------

namespace websocket = beast::websocket;
using WebSocket = websocket::stream<Stream&>;

struct IdleStream {
  std::unique_ptr<Stream> tls;
  std::unique_ptr<WebSocket> ws;
  beast::flat_buffer buffer;
  bool ponged = false;
};

// The deployment's staff devices: the hub caps streams per device, so they are spread.
std::vector<std::unique_ptr<ssl::context>> staff_contexts(const Options& options) {
  std::vector<std::unique_ptr<ssl::context>> contexts;
  for (const char* organisation : {"school", "clb", "caw"}) {
    const auto device = options.pki / organisation;
    contexts.push_back(
        client_context({options.pki / "root.pem", device / "device.pem", device / "device.key"}));
  }
  return contexts;
}

struct StreamOpening {
  std::unique_ptr<IdleStream> stream;  // nullptr when it did not open
  Answer refusal;  // the hub's answer to an upgrade it declined (status 0: none)
};

// Opens a stream: upgraded, and its "subscribed" frame read; or the hub's refusal.
net::awaitable<StreamOpening> try_open_stream(ssl::context& context, std::uint16_t port) {
  StreamOpening opening;
  auto stream = std::make_unique<IdleStream>();
  stream->tls = co_await connect(context, port);
  if (!stream->tls) {
    co_return opening;
  }
  beast::get_lowest_layer(*stream->tls).expires_never();  // the WebSocket keeps its own time
  stream->ws = std::make_unique<WebSocket>(*stream->tls);
  stream->ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  websocket::response_type response;
  auto [upgrade_error] =
      co_await stream->ws->async_handshake(response, "localhost", "/v1/stream", kNoThrow);
  if (upgrade_error) {
    if (upgrade_error == websocket::error::upgrade_declined) {
      opening.refusal = {response.result_int(), retry_after_seconds(response),
                         std::move(response.body()), false};
    }
    co_return opening;
  }
  auto [read_error, n] = co_await stream->ws->async_read(stream->buffer, kNoThrow);
  if (read_error ||
      beast::buffers_to_string(stream->buffer.data()).find("subscribed") == std::string::npos) {
    co_return opening;
  }
  stream->buffer.consume(n);
  opening.stream = std::move(stream);
  co_return opening;
}

net::awaitable<std::unique_ptr<IdleStream>> open_stream(ssl::context& context, std::uint16_t port) {
  co_return (co_await try_open_stream(context, port)).stream;
}

net::awaitable<void> open_streams(std::vector<std::unique_ptr<ssl::context>>& contexts,
                                  const Options& options,
                                  std::vector<std::unique_ptr<IdleStream>>& streams,
                                  std::size_t& next, std::size_t& opened) {
  while (next < streams.size()) {
    const std::size_t slot = next++;
    streams[slot] = co_await open_stream(*contexts[slot % contexts.size()], options.port);
    if (streams[slot]) {
      ++opened;
    }
  }
}

// Pings the stream and reads on (Beast sees the pong while reading; the read itself waits
// until the program ends).
net::awaitable<void> ping(IdleStream& stream, std::size_t& answered) {
  stream.ws->control_callback([&stream, &answered](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::pong && !stream.ponged) {
      stream.ponged = true;
      ++answered;
    }
  });
  auto [ping_error] = co_await stream.ws->async_ping({}, kNoThrow);
  if (!ping_error) {
    co_await stream.ws->async_read(stream.buffer, kNoThrow);
  }
}

void run_idle_streams(const Options& options) {
  if (options.pid <= 0) {
    usage("idle-streams needs --pid of the server process");
  }
  net::io_context ioc(1);
  auto contexts = staff_contexts(options);
  const std::size_t before = resident_kib(options.pid);
  std::vector<std::unique_ptr<IdleStream>> streams(options.connections);
  std::size_t next = 0;
  std::size_t opened = 0;
  for (std::size_t i = 0; i < options.parallel; ++i) {
    net::co_spawn(ioc, open_streams(contexts, options, streams, next, opened), net::detached);
  }
  ioc.run();
  std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
  const std::size_t idle = resident_kib(options.pid);
  ioc.restart();
  std::size_t answered = 0;
  for (auto& stream : streams) {
    if (stream) {
      net::co_spawn(ioc, ping(*stream, answered), net::detached);
    }
  }
  // The reads stay pending: run until every open stream answered, or 60 s.
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (answered < opened && Clock::now() < deadline) {
    ioc.run_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
  const std::size_t after = resident_kib(options.pid);
  const auto per_stream = [&](std::size_t rss) {
    return opened == 0 ? 0.0
                       : (static_cast<double>(rss) - static_cast<double>(before)) /
                             static_cast<double>(opened);
  };
  std::printf(
      "requested=%zu\nopened=%zu\nheld=%zu\nrss_before_kib=%zu\nrss_idle_kib=%zu\n"
      "rss_after_pings_kib=%zu\nkib_per_stream_idle=%.1f\nkib_per_connection=%.1f\n",
      options.connections, opened, answered, before, idle, after, per_stream(idle),
      per_stream(after));
  // Tens of thousands of streams with reads pending: the process ends without taking each
  // down (the hub sees the connections close).
  std::fflush(stdout);
  std::_Exit(0);
}

// --- fan-out: one mailbox, many streams, under load ----------------------------------------------

struct Arrival {
  std::int64_t sequence = 0;
  Clock::time_point at;
};

// Records when each "message" notification arrives on the stream, until the program ends.
net::awaitable<void> listen(IdleStream& stream, std::vector<Arrival>& arrivals) {
  while (true) {
    auto [error, n] = co_await stream.ws->async_read(stream.buffer, kNoThrow);
    if (error) {
      co_return;
    }
    const auto arrived = Clock::now();
    const auto frame = boost::json::parse(beast::buffers_to_string(stream.buffer.data()));
    stream.buffer.consume(n);
    if (frame.at("type").as_string() == "message") {
      arrivals.push_back({frame.at("sequence").to_number<std::int64_t>(), arrived});
    }
  }
}

void print_percentiles(const char* name, std::vector<double>& values_ms) {
  const auto at = [&](double fraction) {
    if (values_ms.empty()) {
      return 0.0;
    }
    const auto index =
        static_cast<std::size_t>(fraction * static_cast<double>(values_ms.size() - 1));
    std::nth_element(values_ms.begin(), values_ms.begin() + static_cast<std::ptrdiff_t>(index),
                     values_ms.end());
    return values_ms[index];
  };
  std::printf("%s_p50_ms=%.2f\n%s_p99_ms=%.2f\n%s_max_ms=%.2f\n", name, at(0.5), name, at(0.99),
              name, at(1.0));
}

void run_fanout(const Options& options) {
  Options probe = options;
  probe.messages = static_cast<std::size_t>(options.probe_rate * options.seconds) + 10;
  auto probes = seal_envelopes(probe);
  Options background = background_of(options);
  if (options.rate > 0) {
    background.messages = static_cast<std::size_t>(options.rate * options.seconds * 1.05) + 100;
  }
  auto background_envelopes = options.connections == 0 ? std::vector<std::vector<std::uint8_t>>{}
                                                       : seal_envelopes(background);

  net::io_context ioc(1);
  Options recipient_device = options;
  recipient_device.from = options.to;
  std::vector<std::unique_ptr<ssl::context>> recipient;
  recipient.push_back(client_context(identity_of(recipient_device)));
  std::vector<std::unique_ptr<IdleStream>> streams(options.streams);
  std::size_t next = 0;
  std::size_t opened = 0;
  for (std::size_t i = 0; i < std::min<std::size_t>(options.streams, 8); ++i) {
    net::co_spawn(ioc, open_streams(recipient, options, streams, next, opened), net::detached);
  }
  ioc.run();
  ioc.restart();
  if (opened != options.streams) {
    throw std::runtime_error("only " + std::to_string(opened) + " of " +
                             std::to_string(options.streams) + " streams opened");
  }
  std::vector<Arrival> arrivals;
  for (auto& stream : streams) {
    net::co_spawn(ioc, listen(*stream, arrivals), net::detached);
  }

  auto probe_context = client_context(identity_of(probe));
  auto background_context = client_context(identity_of(background));
  Run probe_run{*probe_context, options.port, 0, net::steady_timer(ioc), {}, {}, {}, {}};
  Run background_run{*background_context, options.port, 0, net::steady_timer(ioc), {}, {}, {}, {}};
  std::map<std::int64_t, Clock::time_point> probe_sent;
  probe_run.on_accepted = [&probe_sent](const std::string& body, Clock::time_point sent) {
    probe_sent[boost::json::parse(body).at("sequence").to_number<std::int64_t>()] = sent;
  };
  std::optional<Work> probe_work;
  std::optional<Work> background_work;
  for (Run* run : {&probe_run, &background_run}) {
    run->start_gate.expires_at(Clock::time_point::max());
  }
  net::co_spawn(ioc, keep_alive_worker(probe_run, probe_work), net::detached);
  for (std::size_t i = 0; i < options.connections; ++i) {
    net::co_spawn(ioc, keep_alive_worker(background_run, background_work), net::detached);
  }
  while (probe_run.connected < 1 || background_run.connected < options.connections) {
    ioc.run_one();
  }
  const auto seconds = seconds_of(options.seconds);
  const auto started = Clock::now();
  probe_run.started = background_run.started = started;
  probe_work.emplace(std::move(probes), "", started, started + seconds, options.probe_rate);
  background_work.emplace(std::move(background_envelopes), "", started, started + seconds,
                          options.rate);
  probe_run.start_gate.cancel();
  background_run.start_gate.cancel();
  // The streams' reads never end: run until the load is over and the last notes are in.
  while (Clock::now() < started + seconds + std::chrono::seconds(3)) {
    ioc.run_for(std::chrono::milliseconds(100));
  }

  std::vector<double> fanout_ms;
  for (const Arrival& arrival : arrivals) {
    if (const auto sent = probe_sent.find(arrival.sequence); sent != probe_sent.end()) {
      fanout_ms.push_back(
          std::chrono::duration<double, std::milli>(arrival.at - sent->second).count());
    }
  }
  const double elapsed = options.seconds;
  std::printf("streams=%zu\nprobes_ok=%zu\nnotifications_expected=%zu\nnotifications=%zu\n",
              options.streams, probe_sent.size(), probe_sent.size() * options.streams,
              fanout_ms.size());
  print_percentiles("fanout", fanout_ms);
  for (const auto& [status, count] : probe_run.tally.statuses) {
    std::printf("probe_status_%u=%zu\n", status, count);
  }
  std::printf("background_ok_per_s=%.0f\nbackground_p99_ms=%.2f\n",
              static_cast<double>(background_run.tally.statuses[201]) / elapsed,
              background_run.tally.percentile_ms(0.99));
  for (const auto& [status, count] : background_run.tally.statuses) {
    std::printf("status_%u=%zu\n", status, count);
  }
  std::printf("failed_connections=%zu\n",
              probe_run.tally.failed_connections + background_run.tally.failed_connections);
  std::fflush(stdout);
  std::_Exit(0);
}

// --- morning burst: devices reconnecting, each catching up what waited for it --------------------

// Queues --queued envelopes from `sender.from` to the mailbox of `sender.to` through the hub, as
// submit posts them; every one must be accepted.
void queue_messages(Options sender) {
  sender.messages = sender.queued;
  sender.connections = std::max<std::size_t>(1, std::min(sender.connections, sender.queued));
  sender.seconds = 600;  // until every envelope is in
  auto tally = keep_alive_load(sender, seal_envelopes(sender), "").tally;
  if (tally.statuses[201] != sender.queued || tally.failed_connections != 0) {
    throw std::runtime_error("the hub accepted " + std::to_string(tally.statuses[201]) +
                             " of the " + std::to_string(sender.queued) + " envelopes queued for " +
                             sender.to);
  }
}

// An organisation whose staff devices reconnect: its id as the routes name it, and its staff
// device's certificate (every reconnecting device of the organisation presents it).
struct BurstOrganisation {
  std::string org_hex;
  std::unique_ptr<ssl::context> context;
};

BurstOrganisation burst_organisation(const Options& options, const std::string& slug) {
  Options device = options;
  device.from = slug;
  return {protocol::hex_encode(server::load_dev_device_keys(options.pki / slug).org_id),
          client_context(identity_of(device))};
}

struct BurstTally {
  std::size_t connected = 0;  // devices whose stream was opened and subscribed
  std::size_t caught_up = 0;
  std::size_t finished = 0;  // caught up, or given up on
  std::size_t handshakes = 0;
  std::size_t delivered = 0;      // envelopes fetched and their delivery acknowledged
  std::size_t refused = 0;        // 429 and 503 answers with a Retry-After, each waited out
  std::size_t refused_again = 0;  // of those, refusals of a request already refused once
  unsigned longest_retry_after = 0;
  std::map<std::string, std::size_t> failed;  // status_N, connection, incomplete
  std::vector<double> catch_up_ms;            // per device: from its reconnection to caught up
  Clock::time_point last_caught_up{};
};

// The client's reconnection backoff (client::RetryPolicy).
constexpr std::chrono::milliseconds kFirstBackoff{100};
constexpr std::chrono::milliseconds kLongestBackoff{5000};

struct BurstDevice {
  BurstDevice(BurstOrganisation& its_organisation, const Options& run_options,
              BurstTally& run_tally, Clock::time_point deadline)
      : organisation(its_organisation), options(run_options), tally(run_tally), give_up(deadline) {}

  BurstOrganisation& organisation;
  const Options& options;
  BurstTally& tally;
  Clock::time_point give_up;
  std::unique_ptr<IdleStream> stream;  // held open after the catch-up, as the client listens on
  std::vector<Arrival> arrivals;       // (no message is sent during the burst)
  std::unique_ptr<Stream> requests;    // the keep-alive connection the device's requests use
  beast::flat_buffer buffer;
  std::chrono::milliseconds backoff = kFirstBackoff;  // after a lost connection, doubled
};

bool is_refusal(const Answer& answer) {
  return (answer.status == 429 || answer.status == 503) && answer.retry_after_seconds > 0;
}

// Counts a refusal and waits for its Retry-After; `again` when the same request was refused
// before (the device then waited longer than one Retry-After).
net::awaitable<void> honour(BurstTally& tally, const Answer& refusal, bool again) {
  ++tally.refused;
  if (again) {
    ++tally.refused_again;
  }
  tally.longest_retry_after = std::max(tally.longest_retry_after, refusal.retry_after_seconds);
  co_await wait_until(Clock::now() + std::chrono::seconds(refusal.retry_after_seconds));
}

void count_failure(BurstTally& tally, const Answer& answer) {
  ++tally.failed[answer.status == 0 ? "connection" : "status_" + std::to_string(answer.status)];
}

// A connection that failed or was not made: counted, then waited out as the client's backoff does.
net::awaitable<void> back_off(BurstDevice& device) {
  ++device.tally.failed["connection"];
  co_await wait_until(Clock::now() + device.backoff);
  device.backoff = std::min(device.backoff * 2, kLongestBackoff);
}

// One request of the catch-up on the device's keep-alive connection, as the client's connection
// sends it: connected (a new handshake) when there is none, sent again after a lost connection,
// and after a refusal's Retry-After. Status 0 when the device gave up.
template <class Body>
net::awaitable<Answer> ask(BurstDevice& device, http::request<Body>& request) {
  bool refused = false;
  while (Clock::now() < device.give_up) {
    if (!device.requests) {
      ++device.tally.handshakes;
      device.requests = co_await connect(*device.organisation.context, device.options.port);
      device.buffer.clear();
      if (!device.requests) {
        co_await back_off(device);
        continue;
      }
    }
    Answer answer = co_await exchange(*device.requests, device.buffer, request);
    if (answer.status == 0) {
      device.requests.reset();
      co_await back_off(device);
      continue;
    }
    device.backoff = kFirstBackoff;
    if (!answer.keep_alive) {
      device.requests.reset();
    }
    if (!is_refusal(answer)) {
      co_return answer;
    }
    co_await honour(device.tally, answer, refused);
    refused = true;
  }
  co_return Answer{};
}

// Subscribed first, caught up second (the client's order): opens the device's stream, waiting out
// refusals; false when the device gave up.
net::awaitable<bool> subscribe(BurstDevice& device) {
  bool refused = false;
  while (Clock::now() < device.give_up) {
    ++device.tally.handshakes;
    auto opening = co_await try_open_stream(*device.organisation.context, device.options.port);
    if (opening.stream) {
      device.stream = std::move(opening.stream);
      ++device.tally.connected;
      net::co_spawn(co_await net::this_coro::executor, listen(*device.stream, device.arrivals),
                    net::detached);
      co_return true;
    }
    if (is_refusal(opening.refusal)) {
      co_await honour(device.tally, opening.refusal, refused);
      refused = true;
    } else if (opening.refusal.status != 0) {
      count_failure(device.tally, opening.refusal);
      co_return false;
    } else {
      co_await back_off(device);
    }
  }
  co_return false;
}

// A POST of a JSON body (empty: none) on the device's keep-alive connection.
Request json_post(const std::string& target, const std::string& body) {
  Request post;
  post.version(11);
  post.method(http::verb::post);
  post.target(target);
  post.set(http::field::host, "localhost");
  post.set(http::field::content_type, "application/json");
  post.body().assign(body.begin(), body.end());
  post.prepare_payload();
  return post;
}

// Fetches one queued envelope and acknowledges its delivery; false (counted) when either failed.
net::awaitable<bool> fetch_and_acknowledge(BurstDevice& device, const std::string& target) {
  auto fetch = get_request(target, true);
  const Answer envelope = co_await ask(device, fetch);
  if (envelope.status != 200) {
    count_failure(device.tally, envelope);
    co_return false;
  }
  Request ack = json_post(target + "/ack", "");
  const Answer acknowledged = co_await ask(device, ack);
  if (acknowledged.status != 200) {
    count_failure(device.tally, acknowledged);
    co_return false;
  }
  ++device.tally.delivered;
  co_return true;
}

// A page's envelopes in one request and their delivery acknowledged in another, as the client
// does (docs/PROTOCOL.md 7.21); false (counted) when either failed or gave fewer than asked.
net::awaitable<bool> fetch_and_acknowledge_batch(BurstDevice& device, const std::string& mailbox,
                                                 std::int64_t after,
                                                 const std::vector<std::int64_t>& sequences) {
  auto fetch = get_request(mailbox + "/envelopes?after=" + std::to_string(after) +
                               "&limit=" + std::to_string(sequences.size()),
                           true);
  const Answer batch = co_await ask(device, fetch);
  if (batch.status != 200) {
    count_failure(device.tally, batch);
    co_return false;
  }
  const auto frames = protocol::parse_envelope_batch(
      {reinterpret_cast<const std::uint8_t*>(batch.body.data()), batch.body.size()});
  if (!frames || frames->size() != sequences.size()) {
    ++device.tally.failed["incomplete"];
    co_return false;
  }
  boost::json::array listed;
  for (const auto sequence : sequences) {
    listed.push_back(sequence);
  }
  Request ack =
      json_post(mailbox + "/acks",
                boost::json::serialize(boost::json::object{{"sequences", std::move(listed)}}));
  const Answer acknowledged = co_await ask(device, ack);
  if (acknowledged.status != 200 ||
      boost::json::parse(acknowledged.body).at("acknowledged").as_array().size() !=
          sequences.size()) {
    count_failure(device.tally, acknowledged);
    co_return false;
  }
  device.tally.delivered += sequences.size();
  co_return true;
}

// The mailbox's entries after the cursor, page by page, fetched and acknowledged; the number
// received, or nullopt when a request failed.
net::awaitable<std::optional<std::size_t>> catch_up_mailbox(BurstDevice& device,
                                                            const std::string& mailbox) {
  const std::string messages = "/v1/mailboxes/" + mailbox + "/messages";
  std::int64_t after = 0;  // the device's cursor: the hub was fresh before the queue
  std::size_t received = 0;
  while (true) {
    auto list = get_request(messages + "?after=" + std::to_string(after), true);
    const Answer page = co_await ask(device, list);
    if (page.status != 200) {
      count_failure(device.tally, page);
      co_return std::nullopt;
    }
    const auto body = boost::json::parse(page.body);
    const auto& entries = body.at("messages").as_array();
    const std::int64_t page_after = after;
    std::vector<std::int64_t> to_fetch;
    for (const auto& entry : entries) {
      after = entry.at("sequence").to_number<std::int64_t>();
      if (entry.at("state").as_string() == "expired" ||
          entry.at("state").as_string() == "withdrawn") {
        continue;  // nothing to fetch (the client tells its reader of a withdrawal)
      }
      to_fetch.push_back(after);
    }
    if (device.options.catch_up == "batch" && !to_fetch.empty()) {
      if (!co_await fetch_and_acknowledge_batch(device, "/v1/mailboxes/" + mailbox, page_after,
                                                to_fetch)) {
        co_return std::nullopt;
      }
      received += to_fetch.size();
      to_fetch.clear();
    }
    for (const auto sequence : to_fetch) {
      const bool fetched =
          co_await fetch_and_acknowledge(device, messages + "/" + std::to_string(sequence));
      if (!fetched) {
        co_return std::nullopt;
      }
      ++received;
    }
    if (body.at("next_after").is_null() || entries.empty()) {
      co_return received;
    }
  }
}

// The client's sync after a reconnection: the organisation's mailboxes, then each one's entries
// after the cursor. True when every mailbox gave exactly what was queued in it.
net::awaitable<bool> catch_up(BurstDevice& device) {
  auto list = get_request("/v1/organisations/" + device.organisation.org_hex + "/mailboxes", true);
  const Answer mailboxes = co_await ask(device, list);
  if (mailboxes.status != 200) {
    count_failure(device.tally, mailboxes);
    co_return false;
  }
  const auto listed = boost::json::parse(mailboxes.body);
  for (const auto& mailbox : listed.at("mailboxes").as_array()) {
    const auto received =
        co_await catch_up_mailbox(device, std::string(mailbox.at("mailbox_id").as_string()));
    if (!received) {
      co_return false;
    }
    if (*received != device.options.queued) {
      ++device.tally.failed["incomplete"];  // more: the hub was not fresh; fewer: lost
      co_return false;
    }
  }
  co_return true;
}

net::awaitable<void> reconnect(BurstDevice& device, Clock::time_point due) {
  co_await wait_until(due);
  bool caught_up = co_await subscribe(device);
  if (caught_up) {  // (not in one expression with &&: GCC 12 miscompiles co_await in some)
    caught_up = co_await catch_up(device);
  }
  auto& tally = device.tally;
  ++tally.finished;
  if (caught_up) {
    ++tally.caught_up;
    tally.last_caught_up = Clock::now();
    tally.catch_up_ms.push_back(
        std::chrono::duration<double, std::milli>(tally.last_caught_up - due).count());
  }
}

// The baseline: `count` devices reconnecting and catching up one after the other on the idle hub,
// before the burst (the first ones acknowledge each message first; the burst's devices then find
// them delivered, as a mailbox's later members do). Their streams stay open in `devices`;
// nothing of theirs counts in `alone` once they caught up.
std::vector<double> catch_up_alone(net::io_context& ioc, const Options& options,
                                   std::vector<BurstOrganisation>& organisations, std::size_t count,
                                   std::vector<std::unique_ptr<BurstDevice>>& devices) {
  BurstTally alone;
  const auto give_up = Clock::now() + std::chrono::minutes(5);
  for (std::size_t i = 0; i < count; ++i) {
    devices.push_back(std::make_unique<BurstDevice>(organisations[i % organisations.size()],
                                                    options, alone, give_up));
    net::co_spawn(ioc, reconnect(*devices.back(), Clock::now()), net::detached);
    while (alone.finished <= i) {
      ioc.run_one();
    }
  }
  if (alone.caught_up != count || !alone.failed.empty()) {
    throw std::runtime_error("a device alone on the idle hub did not catch up");
  }
  return std::move(alone.catch_up_ms);
}

// One generator thread's part of the burst: its own io_context, devices and counts.
struct BurstShard {
  net::io_context ioc{1};
  BurstTally tally;
  std::size_t devices = 0;

  // The streams' reads never end: runs until each of its devices caught up or gave up.
  void run() {
    while (tally.finished < devices) {
      ioc.run_for(std::chrono::milliseconds(100));
    }
  }
};

void merge(BurstTally& into, BurstTally&& part) {
  into.connected += part.connected;
  into.caught_up += part.caught_up;
  into.finished += part.finished;
  into.handshakes += part.handshakes;
  into.delivered += part.delivered;
  into.refused += part.refused;
  into.refused_again += part.refused_again;
  into.longest_retry_after = std::max(into.longest_retry_after, part.longest_retry_after);
  for (const auto& [what, count] : part.failed) {
    into.failed[what] += count;
  }
  into.catch_up_ms.insert(into.catch_up_ms.end(), part.catch_up_ms.begin(), part.catch_up_ms.end());
  into.last_caught_up = std::max(into.last_caught_up, part.last_caught_up);
}

// Prints the burst's figures; true when every device caught up and nothing failed.
bool print_burst(const Options& options, BurstTally& tally, std::vector<double>& alone,
                 Clock::time_point started, const CpuUse& before) {
  const double elapsed =
      std::chrono::duration<double>(std::max(tally.last_caught_up, started) - started).count();
  std::size_t failed = 0;
  for (const auto& [what, count] : tally.failed) {
    failed += count;
  }
  std::printf(
      "catch_up=%s\ndevices=%zu\nwindow_s=%.1f\nqueued_per_mailbox=%zu\nconnected=%zu\n"
      "caught_up=%zu\n"
      "messages_expected=%zu\ndelivered=%zu\nhandshakes=%zu\nrefused=%zu\nrefused_again=%zu\n"
      "longest_retry_after_s=%u\nfailed=%zu\n",
      options.catch_up.c_str(), options.devices, options.window, options.queued, tally.connected,
      tally.caught_up, options.devices * options.queued, tally.delivered, tally.handshakes,
      tally.refused, tally.refused_again, tally.longest_retry_after, failed);
  for (const auto& [what, count] : tally.failed) {
    std::printf("failed_%s=%zu\n", what.c_str(), count);
  }
  std::printf("last_caught_up_s=%.2f\n", elapsed);
  print_percentiles("catch_up", tally.catch_up_ms);
  print_percentiles("alone_catch_up", alone);
  const CpuUse after = cpu_use(options);
  std::printf("load_threads=%zu\nload_cpu_s=%.1f\n", options.threads,
              after.generator - before.generator);
  if (options.pid > 0) {
    const double hub_cpu = after.hub - before.hub;
    std::printf("hub_cpu_s=%.1f\nhub_cores=%.2f\nhub_rss_kib=%zu\n", hub_cpu,
                elapsed > 0 ? hub_cpu / elapsed : 0.0, resident_kib(options.pid));
  }
  return tally.caught_up == options.devices && failed == 0;
}

void run_burst(const Options& options) {
  if (options.devices == 0 || options.window <= 0 || options.threads == 0) {
    usage("burst needs --devices, --threads and a --window above 0");
  }
  const Options second = background_of(options);
  queue_messages(options);
  queue_messages(second);

  // The development deployment's staff devices of the two recipients, one in each mailbox: each
  // reconnecting device presents one of the two certificates (docs/BENCHMARKS.md).
  std::vector<BurstOrganisation> organisations;
  organisations.push_back(burst_organisation(options, options.to));
  organisations.push_back(burst_organisation(options, second.to));
  std::vector<std::unique_ptr<BurstShard>> shards;
  for (std::size_t t = 0; t < options.threads; ++t) {
    shards.push_back(std::make_unique<BurstShard>());
  }
  std::vector<std::unique_ptr<BurstDevice>> devices;
  auto alone = catch_up_alone(shards.front()->ioc, options, organisations, 10, devices);

  const CpuUse before = cpu_use(options);
  const auto started = Clock::now();
  const auto window = seconds_of(options.window);
  const auto give_up = started + window + std::chrono::minutes(5);
  for (std::size_t i = 0; i < options.devices; ++i) {
    BurstShard& shard = *shards[i % shards.size()];
    devices.push_back(std::make_unique<BurstDevice>(organisations[i % organisations.size()],
                                                    options, shard.tally, give_up));
    ++shard.devices;
    const auto due =
        started + window * static_cast<Clock::rep>(i) / static_cast<Clock::rep>(options.devices);
    net::co_spawn(shard.ioc, reconnect(*devices.back(), due), net::detached);
  }
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < shards.size(); ++t) {
    threads.emplace_back([&shard = *shards[t]] { shard.run(); });
  }
  shards.front()->run();
  for (auto& thread : threads) {
    thread.join();
  }
  BurstTally tally;
  for (auto& shard : shards) {
    merge(tally, std::move(shard->tally));
  }
  const bool complete = print_burst(options, tally, alone, started, before);
  // Thousands of streams with reads pending: the process ends without taking each down.
  std::fflush(stdout);
  std::_Exit(complete ? 0 : 1);
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
    } else if (options.mode == "idle-streams") {
      run_idle_streams(options);
    } else if (options.mode == "fanout") {
      run_fanout(options);
    } else if (options.mode == "burst") {
      run_burst(options);
    } else {
      usage("unknown measurement " + options.mode);
    }
  } catch (const std::exception& failure) {
    std::cerr << "hub_load: " << failure.what() << "\n";
    return 1;
  }
  return 0;
}
