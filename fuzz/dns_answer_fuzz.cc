// The authoritative answer engine (docs/spec/dns.md "Authoritative answers") on arbitrary query
// bytes against a small fixed zone: never crashes, every reply parses, echoes the ID and fits the
// transport's size, and the pre-built fast path answers exactly as the full path does.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/check.h"
#include "trustchain/dns/authority.h"

namespace dns = hm::trustchain::dns;

namespace {

dns::Name N(const char* text) { return *dns::Name::FromText(text); }

const dns::Authority& TestAuthority() {
  static const dns::Authority* authority = [] {
    dns::ZoneConfig zone;
    zone.apex = N("hypermesh");
    zone.primary_ns = N("ns1.hypermesh");
    zone.hostmaster = N("hostmaster.hypermesh");
    std::vector<dns::RRset> rrsets;
    rrsets.push_back({N("ns1.hypermesh"), dns::rrtype::kAaaa, 60, {dns::AaaaRecord{{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}}});
    dns::SvcbRecord https;
    https.priority = 1;
    https.target = N("ns1.hypermesh");
    https.params = {{dns::svckey::kAlpn, dns::SvcAlpn{{"h3", "stoq"}}},
                    {dns::svckey::kPort, dns::SvcPort{8443}}};
    rrsets.push_back({N("app.hypermesh"), dns::rrtype::kHttps, 60, {https}});
    rrsets.push_back({N("www.hypermesh"), dns::rrtype::kCname, 60, {dns::CnameRecord{N("app.hypermesh")}}});
    rrsets.push_back({N("*.wild.hypermesh"), dns::rrtype::kTxt, 60, {dns::TxtRecord{{"w"}}}});
    dns::TxtRecord big;
    for (int i = 0; i < 20; ++i) big.strings.push_back(std::string(200, static_cast<char>('a' + i)));
    rrsets.push_back({N("big.hypermesh"), dns::rrtype::kTxt, 60, {big}});
    auto zones = dns::ZoneSet::Build({zone}, std::move(rrsets), 7);
    HM_CHECK(zones.ok());
    auto* a = new dns::Authority(dns::AnswerOptions{});
    a->Publish(std::move(zones).value());
    return a;
  }();
  return *authority;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto transport = (data[0] & 1) ? dns::Transport::kTcp : dns::Transport::kUdp;
  const hm::base::ByteSpan query(data + 1, size - 1);
  const auto& authority = TestAuthority();
  static std::vector<uint8_t> out(dns::Authority::kMaxResponse), slow(dns::Authority::kMaxResponse);
  const dns::AnswerResult r = authority.Answer(query, transport, out);
  const dns::AnswerResult s = authority.AnswerUncached(query, transport, slow);
  HM_CHECK(r.action == s.action);
  if (r.action != dns::AnswerResult::Action::kReply) return 0;
  HM_CHECK(r.size == s.size && std::memcmp(out.data(), slow.data(), r.size) == 0);
  HM_CHECK(r.size >= dns::kHeaderSize && query.size() >= 2);
  HM_CHECK(out[0] == query[0] && out[1] == query[1]);
  if (transport == dns::Transport::kUdp) HM_CHECK(r.size <= 4096);
  auto parsed = dns::ParseMessage(hm::base::ByteSpan(out.data(), r.size));
  HM_CHECK_MSG(parsed.ok(), parsed.status().ToString());
  return 0;
}
