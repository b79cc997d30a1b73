// wire_raw_test.cc — the wire layer at the byte level through a raw socket client: framing,
// packet sizes and SPID, RESETCONNECTION, several RPCs in one request, attentions, transaction
// manager requests, login failure. Expected bytes follow MS-TDS (2.2.3 packets, 2.2.6 messages,
// 2.2.7 tokens) and captures of the real clients.
#include <gtest/gtest.h>

#include <cstdio>

#include "tds/bytes.h"
#include "tds/raw_client.h"
#include "tds/wire_fixture.h"

namespace emu::tds::testing {
namespace {

std::string hex(const std::string& b) { return to_hex(b); }

const std::string kAllHeaders("\x16\x00\x00\x00\x12\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00", 22);

std::string batch(const std::string& sql) { return kAllHeaders + utf8_to_utf16le(sql); }

// sp_executesql by ProcID with @stmt NVARCHAR and one unnamed INT.
std::string executesql_call(const std::string& stmt, int32_t value) {
  ByteWriter w;
  w.u16(0xFFFF);
  w.u16(10);
  w.u16(0);
  w.b_varchar("@stmt");
  w.u8(0);
  w.u8(0xE7);
  w.u16(8000);
  w.bytes(std::string("\x09\x04\xD0\x00\x34", 5));
  const std::string s = utf8_to_utf16le(stmt);
  w.u16(static_cast<uint16_t>(s.size()));
  w.bytes(s);
  w.b_varchar("");
  w.u8(0);
  w.u8(0x26);
  w.u8(4);
  w.u8(4);
  w.u32(static_cast<uint32_t>(value));
  return w.str();
}

const std::string kFinalDone = "FD 00 00 00 00 00 00 00 00 00 00 00 00";

std::string tail_of(const std::string& h, const std::string& like) {
  return h.size() < like.size() ? h : h.substr(h.size() - like.size());
}

TEST(WireRaw, PreloginReplyOffersNoEncryptionAndKeepsMars) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.send(0x12, std::string("\x00\x00\x06\x00\x01\xFF\x00", 7));
  const auto reply = c.read_message();
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].type, 0x04);
  EXPECT_EQ(hex(reply[0].payload),
            "00 00 1A 00 06 01 00 20 00 01 02 00 21 00 01 03 00 22 00 00 04 00 22 00 01 FF "
            "10 00 10 27 00 00 02 00 00");
}

TEST(WireRaw, LoginReplySequence) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.send(0x10, c.login7("sa", CannedInstance::kPassword));
  const auto reply = c.read_message();
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_GE(reply[0].spid, 51);
  const std::string h = hex(reply[0].payload);
  EXPECT_EQ(h.substr(0, 3 * 9), "E3 1B 00 01 06 6D 00 61 00 ");  // ENVCHANGE database 'master'
  EXPECT_NE(h.find("AD 32 00 01 74 00 00 04 14 4D 00"), std::string::npos);  // LOGINACK, 7.4, "Microsoft…"
  EXPECT_NE(h.find("E3 08 00 07 05 09 04 D0 00 34 00"), std::string::npos);  // collation
  const std::string packet_size_and_done =
      "E3 13 00 04 04 34 00 30 00 39 00 36 00 04 34 00 30 00 39 00 36 00 " + kFinalDone;
  EXPECT_EQ(tail_of(h, packet_size_and_done), packet_size_and_done);
  EXPECT_EQ(srv.instance.log(), (std::vector<std::string>{"login:sa@"}));
}

TEST(WireRaw, LoginFailureIsErrorThenDoneErrorThenClose) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.send(0x10, c.login7("sa", "nope"));
  const std::string h = hex(c.reply());
  EXPECT_EQ(h.substr(0, 3), "AA ");
  EXPECT_EQ(h.substr(9, 17), "18 48 00 00 01 0E");  // 18456, state 1, class 14
  const std::string done_error = "FD 02 00 00 00 00 00 00 00 00 00 00 00";
  EXPECT_EQ(tail_of(h, done_error), done_error);
  EXPECT_TRUE(c.closed_by_server());
}

TEST(WireRaw, RepliesAreSplitAtTheNegotiatedPacketSize) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.login(512);
  c.send(0x01, batch("rows 300"));
  const auto packets = c.read_message();
  ASSERT_GT(packets.size(), 10u);
  for (size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].type, 0x04);
    EXPECT_EQ(packets[i].status, i + 1 == packets.size() ? 1 : 0);
    EXPECT_EQ(packets[i].id, static_cast<uint8_t>(i + 1));
    EXPECT_EQ(packets[i].spid, c.spid());
    if (i + 1 < packets.size()) {
      EXPECT_EQ(packets[i].payload.size(), 504u);
    }
  }
}

TEST(WireRaw, RequestsSplitIntoPacketsAreReassembled) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.login();
  const std::string text(3000, 'z');
  c.send(0x01, batch("echo " + text), 0, 512);
  c.reply();
  EXPECT_EQ(srv.instance.log().back(), "batch:echo " + text);
}

TEST(WireRaw, ResetConnectionIsAcknowledgedFirst) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.login();
  c.send(0x01, batch("select 1"), 0x08);
  const std::string h = hex(c.reply());
  EXPECT_EQ(h.substr(0, 17), "E3 03 00 12 00 00");
  EXPECT_EQ(srv.instance.log()[1], "reset");
}

TEST(WireRaw, SeveralRpcsInOneRequestEndWithDoneProcMoreThenFinal) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.login();
  c.send(0x03, kAllHeaders + executesql_call("q1", 1) + "\xFF" + executesql_call("q2", 2));
  const std::string h = hex(c.reply());
  const std::string tail = "79 00 00 00 00 FE ";
  const size_t first = h.find(tail + "01 00");
  ASSERT_NE(first, std::string::npos);
  const std::string final_doneproc = tail + "00 00 00 00 00 00 00 00 00 00 00 00";
  EXPECT_EQ(tail_of(h, final_doneproc), final_doneproc);
  const auto log = srv.instance.log();
  EXPECT_EQ(log[log.size() - 2], "rpc:sp_executesql|@stmt=q1|=1");
  EXPECT_EQ(log[log.size() - 1], "rpc:sp_executesql|@stmt=q2|=2");
  EXPECT_EQ(srv.instance.stats().rpcs.load(), 2u);
}

TEST(WireRaw, AttentionAfterACompleteReplyIsAcknowledged) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.login();
  c.send(0x06, "");
  EXPECT_EQ(hex(c.reply()), "FD 20 00 00 00 00 00 00 00 00 00 00 00");
}

TEST(WireRaw, AttentionDuringALongReplyEndsItWithDoneAttn) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.login();
  c.send(0x01, batch("endless"));
  Packet p;
  ASSERT_TRUE(c.read_packet(&p));
  c.send(0x06, "");
  std::string last;
  while (c.read_packet(&p)) {
    last += p.payload;
    if (p.status & 1) break;
    if (last.size() > 4096) last.erase(0, last.size() - 4096);
  }
  EXPECT_EQ(hex(last.substr(last.size() - 13)), "FD 20 00 00 00 00 00 00 00 00 00 00 00");
  EXPECT_EQ(srv.instance.stats().attentions.load(), 1u);
}

TEST(WireRaw, TransactionManagerBeginAndChainedCommit) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.login();
  c.send(0x0E, kAllHeaders + std::string("\x05\x00\x00\x00", 4));  // BEGIN, isolation 0, no name
  EXPECT_EQ(hex(c.reply()), "E3 0B 00 08 08 01 00 00 00 00 00 00 00 00 " + kFinalDone);
  c.send(0x0E, kAllHeaders + std::string("\x07\x00\x00\x01\x00\x00", 6));  // COMMIT, chain a new one
  EXPECT_EQ(hex(c.reply()), "E3 0B 00 09 00 08 01 00 00 00 00 00 00 00 E3 0B 00 08 08 02 00 00 00 00 00 00 00 00 " +
                                kFinalDone);
  c.send(0x0E, kAllHeaders + std::string("\x08\x00\x00\x00", 4));  // ROLLBACK, no chain
  EXPECT_EQ(hex(c.reply()), "E3 0B 00 0A 00 08 02 00 00 00 00 00 00 00 " + kFinalDone);
}

TEST(WireRaw, AnythingButPreloginOrLoginFirstClosesTheConnection) {
  CannedServer srv;
  RawClient c(srv.server.port());
  c.send(0x01, batch("select 1"));
  EXPECT_TRUE(c.closed_by_server());
}

}  // namespace
}  // namespace emu::tds::testing
