/*
 * Stand-in for Windows' bcryptprimitives.dll, for running Go test binaries
 * under Wine versions that lack it (Debian 12 ships Wine 8.0).
 *
 * Go >= 1.22 gets its random numbers from ProcessPrng in bcryptprimitives.dll
 * and refuses to start without it. Wine 8.0 has bcrypt.dll, so this forwards
 * to BCryptGenRandom with the system-preferred RNG.
 *
 * Build (Debian: gcc-mingw-w64-x86-64-win32):
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll \
 *       bcryptprimitives.c -lbcrypt
 * and copy the DLL into $WINEPREFIX/drive_c/windows/system32/.
 */
#include <windows.h>
#include <bcrypt.h>

#ifndef BCRYPT_USE_SYSTEM_PREFERRED_RNG
#define BCRYPT_USE_SYSTEM_PREFERRED_RNG 0x00000002
#endif

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* BCryptGenRandom takes a ULONG count; feed larger requests in pieces. */
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) < 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)inst; (void)reason; (void)reserved;
    return TRUE;
}
