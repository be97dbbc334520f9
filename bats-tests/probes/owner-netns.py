#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""owner-netns.py NAME CMD...: CMD in the network namespace /run/netns/NAME
of a container owned by the caller, entered as its owner can without any
privilege: the netns's own user namespace (NS_GET_USERNS) first, where the
owner holds every capability (as its uid 0), then the netns.  For 47-rootless-net.bats:
what she can do from her network namespace without ctr-enter."""
import ctypes
import fcntl
import os
import sys

NS_GET_USERNS = 0xB701
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def setns(fd, kind, what):
    if libc.setns(fd, kind) != 0:
        err = ctypes.get_errno()
        sys.exit("owner-netns: setns %s: %s" % (what, os.strerror(err)))


net = os.open("/run/netns/" + sys.argv[1], os.O_RDONLY | os.O_CLOEXEC)
user = fcntl.ioctl(net, NS_GET_USERNS)
setns(user, CLONE_NEWUSER, "user")
# uid and gid 0 of her user namespace, so that the exec below keeps the
# capabilities (an exec by an unmapped uid drops them)
if libc.setgroups(0, None) != 0 or libc.setresgid(0, 0, 0) != 0 or libc.setresuid(0, 0, 0) != 0:
    sys.exit("owner-netns: becoming uid 0 of the user namespace: " + os.strerror(ctypes.get_errno()))
setns(net, CLONE_NEWNET, "net")
os.execvp(sys.argv[2], sys.argv[2:])
