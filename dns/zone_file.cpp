// Master files in (libzscanner) and out (dns/rdata_text), see zone_file.hpp.
#include "dns/zone_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "dns/rdata_text.hpp"
#include "dns/wire.hpp"

// libzscanner's headers have no extern "C" of their own.
extern "C" {
#include <libzscanner/scanner.h>
}

namespace signerd::dns {
namespace {

// zscanner gives a record without a TTL the scanner's default TTL, and only
// $TTL changes that default. We start it at this impossible value so that
// "no TTL and no default yet" can be told apart and resolved as BIND 9 does
// (an explicit TTL of 4294967295 is taken for a missing one: RFC 2181 section
// 8 makes it 0 anyway).
constexpr uint32_t kNoTtl = 0xffffffff;
// RFC 2181 section 8: a TTL above 2^31 - 1 is treated as zero (BIND does so too).
constexpr uint32_t kMaxTtl = 0x7fffffff;
// $INCLUDE of a file that includes itself would otherwise recurse until the
// stack runs out.
constexpr int kMaxIncludeDepth = 8;

struct ScannerDeleter {
  void operator()(zs_scanner_t* s) const noexcept {
    zs_deinit(s);
    delete s;
  }
};
// zs_scanner_t is about 200 KiB (three 64 KiB buffers): never on the stack.
using Scanner = std::unique_ptr<zs_scanner_t, ScannerDeleter>;

// One record as zscanner produced it, with the TTL resolved.
using RecordSink = std::function<Result<void>(const ParsedRecord&)>;

// Drives zscanner over a file or a string and its $INCLUDEs, resolves
// TTLs, and collects errors with their file and line.
class Reader {
 public:
  Reader(const ZoneFileOptions& options, RecordSink sink) : options_(options), sink_(std::move(sink)) {}

  void read_file(const std::string& path) {
    Scanner s = make_scanner(options_.origin.to_text().c_str(), kNoTtl);
    if (!s) return;
    if (zs_set_input_file(s.get(), path.c_str()) != 0) {
      add_error(path, 0, std::string("cannot read: ") + zs_strerror(s->error.code));
      return;
    }
    scan(s.get(), 0);
  }

  void read_text(std::string_view text) {
    Scanner s = make_scanner(options_.origin.to_text().c_str(), kNoTtl);
    if (!s) return;
    if (zs_set_input_string(s.get(), text.data(), text.size()) != 0) {
      add_error("<string>", 0, zs_strerror(s->error.code));
      return;
    }
    scan(s.get(), 0);
  }

  std::vector<ZoneFileError>& errors() { return errors_; }
  std::vector<std::string>& warnings() { return warnings_; }

 private:
  Scanner make_scanner(const char* origin, uint32_t default_ttl) {
    Scanner s(new zs_scanner_t);
    if (zs_init(s.get(), origin, code(options_.rclass), default_ttl) != 0) {
      add_error("<init>", 0, std::string("zone scanner: ") + zs_strerror(s->error.code));
      return nullptr;
    }
    return s;
  }

  static std::string file_of(const zs_scanner_t* s) { return s->file.name ? s->file.name : "<string>"; }

  bool full() const { return errors_.size() >= options_.max_errors; }

  void add_error(std::string file, uint64_t line, std::string message) {
    if (full()) return;
    errors_.push_back(ZoneFileError{std::move(file), line, std::move(message)});
    if (full()) warnings_.push_back("stopped after " + std::to_string(errors_.size()) + " errors");
  }

  // zscanner maps the whole file and reads it once, front to back. Parsed
  // pages are handed back every 2 MiB (the mapping stays; zscanner
  // unmaps it) so that the file's size does not add to the peak memory.
  static void release_parsed_input(const zs_scanner_t* s, uintptr_t& released) {
    if (!s->input.mmaped) return;
    static const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto done = reinterpret_cast<uintptr_t>(s->input.current) & ~(page - 1);
    constexpr uintptr_t kBatch = uintptr_t{2} << 20;
    if (released == 0) released = reinterpret_cast<uintptr_t>(s->input.start);
    if ((released & (page - 1)) == 0 && done > released && done - released >= kBatch) {
      madvise(reinterpret_cast<void*>(released), done - released, MADV_DONTNEED);
      released = done;
    }
  }

  void scan(zs_scanner_t* s, int depth) {
    uintptr_t released = 0;
    while (!full()) {
      release_parsed_input(s, released);
      zs_parse_record(s);  // the outcome is in s->state
      switch (s->state) {
        case ZS_STATE_DATA: on_record(s); break;
        case ZS_STATE_ERROR:
          add_error(file_of(s), s->line_counter, zs_strerror(s->error.code));
          if (s->error.fatal) return;  // zscanner cannot go on (e.g. a bad directive)
          break;
        case ZS_STATE_INCLUDE: on_include(s, depth); break;
        default:  // EOF or STOP
          return;
      }
    }
  }

  void on_include(const zs_scanner_t* s, int depth) {
    if (!options_.allow_include) {
      add_error(file_of(s), s->line_counter, "$INCLUDE is not allowed here");
      return;
    }
    if (depth + 1 >= kMaxIncludeDepth) {
      add_error(file_of(s), s->line_counter,
                "$INCLUDE nested more than " + std::to_string(kMaxIncludeDepth) +
                    " deep (does a file include itself?)");
      return;
    }
    // The included file starts with the including file's current origin
    // (or the one the directive names: zscanner put it in s->buffer), class
    // and default TTL; its own $ORIGIN and $TTL end with it (RFC 1035 5.1).
    Scanner inner = make_scanner(reinterpret_cast<const char*>(s->buffer), s->default_ttl);
    if (!inner) return;
    if (zs_set_input_file(inner.get(), s->include_filename) != 0) {
      add_error(file_of(s), s->line_counter,
                std::string("$INCLUDE ") + s->include_filename + ": " + zs_strerror(inner->error.code));
      return;
    }
    scan(inner.get(), depth + 1);
  }

  // BIND 9 semantics (lib/dns/master.c, checked with named-checkzone
  // 9.18), which we follow so that a zone reads the same in signerd as on
  // a BIND primary. A record without a TTL takes, in this order:
  //  1. the default TTL: set by $TTL (RFC 2308 section 4), or by an SOA
  //     that had no TTL to take and so took its MINIMUM ("no TTL specified;
  //     using SOA MINTTL instead"); zscanner applies it for us;
  //  2. the last explicit TTL (RFC 1035 section 5.1, "RFC1035 TTL semantics");
  //  3. for the SOA only, its MINIMUM, which also becomes the default;
  //  4. else BIND rejects the zone; so do we, unless the caller gave a
  //     default_ttl. Knot (zscanner's own default) would silently use 3600.
  std::optional<uint32_t> resolve_ttl(zs_scanner_t* s) {
    if (s->r_ttl != kNoTtl) {
      if (s->default_ttl == kNoTtl) last_ttl_ = s->r_ttl;
      return s->r_ttl;
    }
    if (last_ttl_) return *last_ttl_;
    if (s->r_type == code(RRType::SOA) && s->r_data_length >= 20) {
      s->default_ttl = get_u32(s->r_data + s->r_data_length - 4);
      warnings_.push_back(file_of(s) + ":" + std::to_string(s->line_counter) +
                          ": no TTL specified; using the SOA MINIMUM " + std::to_string(s->default_ttl));
      return s->default_ttl;
    }
    return options_.default_ttl;
  }

  void on_record(zs_scanner_t* s) {
    std::optional<uint32_t> resolved = resolve_ttl(s);
    if (!resolved) {
      add_error(file_of(s), s->line_counter, "no TTL specified, and no $TTL or earlier TTL to use");
      return;
    }
    uint32_t ttl = *resolved;
    if (ttl > kMaxTtl) {
      warnings_.push_back(file_of(s) + ":" + std::to_string(s->line_counter) + ": TTL " +
                          std::to_string(ttl) + " above 2^31-1; using 0 (RFC 2181 section 8)");
      ttl = 0;
    }
    ParsedRecord r{NameView({s->r_owner, s->r_owner_length}),
                   static_cast<RRType>(s->r_type),
                   static_cast<RRClass>(s->r_class),
                   ttl,
                   {s->r_data, s->r_data_length},
                   s->line_counter};
    if (auto res = sink_(r); !res) add_error(file_of(s), s->line_counter, res.error().detail);
  }

  const ZoneFileOptions& options_;
  RecordSink sink_;
  std::vector<ZoneFileError> errors_;
  std::vector<std::string> warnings_;
  std::optional<uint32_t> last_ttl_;
};

// Reads with `feed` into a ZoneBuilder, then finishes the zone.
template <class Feed>
ZoneFileResult build_zone(const ZoneFileOptions& options, const std::string& file, Feed&& feed) {
  ZoneBuilder builder(options.origin, options.rclass, options.limits);
  Reader reader(options, [&builder](const ParsedRecord& r) {
    return builder.add(r.owner, r.type, r.rclass, r.ttl, r.rdata);
  });
  feed(reader);
  ZoneFileResult result;
  result.errors = std::move(reader.errors());
  result.warnings = std::move(reader.warnings());
  if (!result.errors.empty()) return result;
  auto zone = std::move(builder).finish();
  for (const auto& w : builder.warnings()) result.warnings.push_back(w);
  if (!zone) {
    result.errors.push_back(ZoneFileError{file, 0, zone.error().detail});
    return result;
  }
  result.zone = std::move(zone).value();
  return result;
}

}  // namespace

std::string ZoneFileError::to_string() const {
  if (line == 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

ZoneFileResult read_zone_file(const std::string& path, const ZoneFileOptions& options) {
  return build_zone(options, path, [&](Reader& r) { r.read_file(path); });
}

ZoneFileResult read_zone_text(std::string_view text, const ZoneFileOptions& options) {
  return build_zone(options, "<string>", [&](Reader& r) { r.read_text(text); });
}

Result<void> parse_zone_text(std::string_view text, const Name& origin, uint32_t default_ttl,
                             const std::function<void(const ParsedRecord&)>& sink) {
  ZoneFileOptions options;
  options.origin = origin;
  options.default_ttl = default_ttl;
  options.max_errors = 1;
  options.allow_include = false;
  Reader reader(options, [&sink](const ParsedRecord& r) {
    sink(r);
    return base::ok();
  });
  reader.read_text(text);
  if (!reader.errors().empty()) {
    return base::make_error(base::Errc::malformed, reader.errors().front().to_string());
  }
  return base::ok();
}

namespace {

void append_rrset(const ZoneVersion& zone, NodeView node, RRsetView set, std::string& out) {
  for (size_t k = 0; k < set.size(); ++k) {
    append_record_text(node.owner(), set.ttl(), zone.rclass(), set.type(), set.rdata(k), out);
    out.push_back('\n');
  }
}

// The apex SOA first (as AXFR sends it, and as BIND and ldns print a zone:
// some readers take the first record's owner as the origin), then every
// other RRset in canonical order. `flush(out)` is called after each node.
template <class Flush>
void emit_zone(const ZoneVersion& zone, std::string& out, Flush&& flush) {
  if (zone.node_count() == 0) return;
  NodeView apex = zone.apex();
  if (auto soa = apex.find(RRType::SOA)) append_rrset(zone, apex, *soa, out);
  for (size_t i = 0; i < zone.node_count(); ++i) {
    NodeView node = zone.node(i);
    for (size_t j = 0; j < node.rrset_count(); ++j) {
      RRsetView set = node.rrset(j);
      if (i == 0 && set.type() == RRType::SOA) continue;
      append_rrset(zone, node, set, out);
    }
    if (!flush(out)) return;
  }
}

}  // namespace

void write_zone(const ZoneVersion& zone, std::string& out) {
  emit_zone(zone, out, [](std::string&) { return true; });
}

namespace {

base::Error io_error(const std::string& what, const std::string& path) {
  return base::make_error(base::Errc::io, what + " " + path + ": " + std::strerror(errno));
}

Result<void> write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return base::ok();
}

// Writes the zone node by node in chunks, so a large zone never sits in
// memory twice.
Result<void> write_zone_fd(const ZoneVersion& zone, int fd, const std::string& path) {
  constexpr size_t kChunk = 1 << 20;
  std::string buf;
  buf.reserve(kChunk + 4096);
  Result<void> status;
  emit_zone(zone, buf, [&](std::string& out) {
    if (out.size() < kChunk) return true;
    status = write_all(fd, out, path);
    out.clear();
    return status.has_value();
  });
  if (!status) return status;
  return write_all(fd, buf, path);
}

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

// A temporary file beside `path`, renamed over it only when complete and
// synced: readers (a name server, a transfer) never see a partial zone.
Result<void> write_zone_file(const ZoneVersion& zone, const std::string& path) {
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return io_error("create temporary file for", path);
  auto fail = [&](base::Error e) -> Result<void> {
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  // mkstemp creates 0600; a zone file is read by other daemons (a name
  // server running as its own user), as dnssec-signzone's output is.
  if (::fchmod(fd, 0644) != 0) return fail(io_error("chmod", tmp));
  if (auto r = write_zone_fd(zone, fd, tmp); !r) return fail(std::move(r).error());
  if (::fsync(fd) != 0) return fail(io_error("fsync", tmp));
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return io_error("close", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = io_error("rename to", path);
    ::unlink(tmp.c_str());
    return e;
  }
  // Make the rename itself durable.
  int dir = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return base::ok();
}

}  // namespace signerd::dns
