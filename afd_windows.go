//go:build windows

package nodenet

// NT plumbing for the Windows Poller: readiness of sockets comes from the
// Ancillary Function Driver (afd.sys), the kernel half of Winsock, through the
// undocumented but long-stable IOCTL_AFD_POLL that select() and WSAPoll are
// built on. Issuing it ourselves, asynchronously and with the completion
// delivered to our own completion port, is what lets a readiness reactor scale
// on Windows (the approach of wepoll, libuv's uv_poll and mio).

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Calls that x/sys/windows lacks (or, for RtlNtStatusToDosError, has only in
// the NoTeb form that does not set the thread's last error). Lazy system DLLs
// so that a missing export surfaces as an error from NewPoller, not a crash at
// package init; loading from System32 only avoids DLL planting.
var (
	modntdll    = windows.NewLazySystemDLL("ntdll.dll")
	modkernel32 = windows.NewLazySystemDLL("kernel32.dll")

	procNtDeviceIoControlFile       = modntdll.NewProc("NtDeviceIoControlFile")
	procNtCancelIoFileEx            = modntdll.NewProc("NtCancelIoFileEx")
	procRtlNtStatusToDosError       = modntdll.NewProc("RtlNtStatusToDosError")
	procGetQueuedCompletionStatusEx = modkernel32.NewProc("GetQueuedCompletionStatusEx")
)

// loadAFDProcs resolves every entry point the Poller calls, so that a system
// without one fails NewPoller cleanly instead of panicking inside Wait.
func loadAFDProcs() error {
	for _, p := range []*windows.LazyProc{
		procNtDeviceIoControlFile,
		procNtCancelIoFileEx,
		procRtlNtStatusToDosError,
		procGetQueuedCompletionStatusEx,
	} {
		if err := p.Find(); err != nil {
			return err
		}
	}
	return nil
}

const (
	ioctlAFDPoll = 0x00012024 // IOCTL_AFD_POLL: FILE_DEVICE_NETWORK, function 9, METHOD_BUFFERED

	sioBaseHandle    = 0x48000022 // SIO_BASE_HANDLE
	sioBSPHandlePoll = 0x4800001D // SIO_BSP_HANDLE_POLL

	// The helper device name: anything below \Device\Afd opens the driver
	// itself; the suffix only makes our handles recognisable in tools such as
	// Process Explorer.
	afdHelperName = `\Device\Afd\nodenet`
)

// AFD_POLL_* event bits, as afd.sys defines them.
const (
	afdPollReceive          = 0x0001
	afdPollReceiveExpedited = 0x0002
	afdPollSend             = 0x0004
	afdPollDisconnect       = 0x0008
	afdPollAbort            = 0x0010
	afdPollLocalClose       = 0x0020
	afdPollAccept           = 0x0080
	afdPollConnectFail      = 0x0100
)

// afdPollHandleInfo is AFD_POLL_HANDLE_INFO.
type afdPollHandleInfo struct {
	Handle windows.Handle
	Events uint32
	Status windows.NTStatus
}

// afdPollInfo is AFD_POLL_INFO with room for exactly one handle: each socket
// gets its own poll so that one socket's readiness completes (and is re-armed)
// independently of every other.
type afdPollInfo struct {
	Timeout         int64
	NumberOfHandles uint32
	Exclusive       uint32
	Handles         [1]afdPollHandleInfo
}

// afdPollInfoSize is sizeof(AFD_POLL_INFO) as C sees it. Go aligns int64 to 4
// bytes on 386, so the Go struct is 28 bytes there where C pads it to 32;
// passing C's size (with afdPollInfoPad bytes of real memory behind the
// struct) keeps us byte-for-byte what the driver expects from any 32-bit
// caller.
const (
	afdPollInfoSize = (unsafe.Sizeof(afdPollInfo{}) + 7) &^ 7
	afdPollInfoPad  = afdPollInfoSize - unsafe.Sizeof(afdPollInfo{})
)

// afdPollBuffer is the memory one IOCTL_AFD_POLL reads its request from and
// writes its result into; the kernel keeps writing it after the call returns,
// until the completion packet is queued.
type afdPollBuffer struct {
	iosb windows.IO_STATUS_BLOCK
	info afdPollInfo
	_    [afdPollInfoPad]byte
}

// overlappedEntry is OVERLAPPED_ENTRY. Overlapped is a uintptr, not a pointer,
// because a packet posted by other code may carry any value there; the
// Poller maps it back to its own objects through a table that holds the real
// Go pointers.
type overlappedEntry struct {
	CompletionKey            uintptr
	Overlapped               uintptr
	Internal                 uintptr
	NumberOfBytesTransferred uint32
}

// ntError turns an NTSTATUS into the Win32 error that the rest of nodenet
// (ErrnoCode's table, errors.Is with the os sentinels) understands.
func ntError(op string, status windows.NTStatus) error {
	r, _, _ := syscall.SyscallN(procRtlNtStatusToDosError.Addr(), uintptr(status))
	errno := syscall.Errno(r)
	if errno == 0 || errno == windows.ERROR_MR_MID_NOT_FOUND {
		// No Win32 equivalent: the raw status still formats readably.
		return NewSyscallError(op, status)
	}
	return NewSyscallError(op, errno)
}

// openAFDHelper opens a handle to the AFD driver that is not a socket (no
// extended attributes describe an endpoint) and associates it with port, so
// that every poll issued on it completes to port with key.
func openAFDHelper(port windows.Handle, key uintptr) (windows.Handle, error) {
	name, err := windows.NewNTUnicodeString(afdHelperName)
	if err != nil {
		return windows.InvalidHandle, err
	}
	oa := windows.OBJECT_ATTRIBUTES{ObjectName: name}
	oa.Length = uint32(unsafe.Sizeof(oa))
	var (
		h    windows.Handle
		iosb windows.IO_STATUS_BLOCK
	)
	// SYNCHRONIZE is the only access a poll needs; the handle is opened for
	// asynchronous I/O (no FILE_SYNCHRONOUS_IO_* option), as completion
	// ports require.
	err = windows.NtCreateFile(&h, windows.SYNCHRONIZE, &oa, &iosb, nil, 0,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, windows.FILE_OPEN, 0, 0, 0)
	if err != nil {
		if st, ok := err.(windows.NTStatus); ok {
			return windows.InvalidHandle, ntError("NtCreateFile", st)
		}
		return windows.InvalidHandle, NewSyscallError("NtCreateFile", err)
	}
	if _, err := windows.CreateIoCompletionPort(h, port, key, 0); err != nil {
		windows.CloseHandle(h)
		return windows.InvalidHandle, NewSyscallError("CreateIoCompletionPort", err)
	}
	// Nobody ever waits on the helper handle itself, so skip signalling it on
	// every completion. Only an optimisation: a system that refuses it still
	// polls correctly.
	_ = windows.SetFileCompletionNotificationModes(h, windows.FILE_SKIP_SET_EVENT_ON_HANDLE)
	return h, nil
}

// afdPoll issues buf's poll on helper, asynchronously. On success (returned
// as nil whether the driver answered at once or pended the request) exactly
// one completion packet, carrying &buf.iosb as its OVERLAPPED pointer, will
// reach the helper's port; on error none will, and the returned NTSTATUS says
// why.
func afdPoll(helper windows.Handle, buf *afdPollBuffer) windows.NTStatus {
	buf.iosb.Status = windows.STATUS_PENDING
	buf.iosb.Information = 0
	r, _, _ := syscall.SyscallN(procNtDeviceIoControlFile.Addr(),
		uintptr(helper),
		0, // no event: completion goes to the port
		0, // no APC routine: ApcContext becomes the packet's OVERLAPPED pointer
		uintptr(unsafe.Pointer(&buf.iosb)),
		uintptr(unsafe.Pointer(&buf.iosb)),
		ioctlAFDPoll,
		uintptr(unsafe.Pointer(&buf.info)), afdPollInfoSize,
		uintptr(unsafe.Pointer(&buf.info)), afdPollInfoSize)
	st := windows.NTStatus(r)
	if st == windows.STATUS_SUCCESS || st == windows.STATUS_PENDING {
		return windows.STATUS_SUCCESS
	}
	return st
}

// afdCancel asks the driver to complete buf's outstanding poll early. The
// completion (with STATUS_CANCELLED, or a real result if it raced) still
// arrives through the port and must still be awaited before buf is released.
func afdCancel(helper windows.Handle, buf *afdPollBuffer) error {
	var iosb windows.IO_STATUS_BLOCK
	r, _, _ := syscall.SyscallN(procNtCancelIoFileEx.Addr(),
		uintptr(helper),
		uintptr(unsafe.Pointer(&buf.iosb)),
		uintptr(unsafe.Pointer(&iosb)))
	switch st := windows.NTStatus(r); st {
	case windows.STATUS_SUCCESS, windows.STATUS_NOT_FOUND:
		// NOT_FOUND: it completed on its own just now; the packet is queued.
		return nil
	default:
		return ntError("NtCancelIoFileEx", st)
	}
}

// baseSocket returns the socket that afd.sys knows s by. A Layered Service
// Provider (firewalls, VPN clients) may hand applications a socket of its
// own wrapping the real one; AFD can only poll the real one. When an LSP
// refuses SIO_BASE_HANDLE (some do), SIO_BSP_HANDLE_POLL asks it for the
// socket it would itself poll, and we walk down from there.
func baseSocket(s windows.Handle) (windows.Handle, error) {
	for depth := 0; depth < 8; depth++ {
		var base windows.Handle
		var n uint32
		err := windows.WSAIoctl(s, sioBaseHandle, nil, 0,
			(*byte)(unsafe.Pointer(&base)), uint32(unsafe.Sizeof(base)), &n, nil, 0)
		if err == nil && base != 0 && base != windows.InvalidHandle {
			return base, nil
		}
		var bsp windows.Handle
		if err2 := windows.WSAIoctl(s, sioBSPHandlePoll, nil, 0,
			(*byte)(unsafe.Pointer(&bsp)), uint32(unsafe.Sizeof(bsp)), &n, nil, 0); err2 != nil ||
			bsp == 0 || bsp == windows.InvalidHandle || bsp == s {
			if err == nil {
				err = windows.WSAENOTSOCK
			}
			return windows.InvalidHandle, NewSyscallError("WSAIoctl(SIO_BASE_HANDLE)", err)
		}
		s = bsp
	}
	return windows.InvalidHandle, NewSyscallError("WSAIoctl(SIO_BASE_HANDLE)", windows.WSAEINVAL)
}
