#!/bin/sh
# Debian's protoc (package protobuf-compiler), matching the libprotobuf runtime we link.
exec /usr/bin/protoc "$@"
