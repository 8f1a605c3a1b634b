package socket

import (
	"go/ast"
	"go/parser"
	"go/token"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStateWrittenOnlyInStateGo keeps the state machine in one file: the
// primitive writers of Socket.st and Socket.fl (mark, swap, set, unset,
// setTo, and st's own Or/And/Store/CompareAndSwap) are called only from
// state.go, so every transition is a named method there.
func TestStateWrittenOnlyInStateGo(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	primitive := map[string]bool{"mark": true, "swap": true, "set": true, "unset": true, "setTo": true}
	atomicOp := map[string]bool{"Or": true, "And": true, "Store": true, "CompareAndSwap": true, "Swap": true}
	fset := token.NewFileSet()
	for _, name := range files {
		if name == "state.go" || strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if primitive[sel.Sel.Name] && isSocketVar(sel.X) {
					t.Errorf("%s: %s called outside state.go: add a named transition there", fset.Position(n.Pos()), sel.Sel.Name)
				}
				if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "st" && atomicOp[sel.Sel.Name] {
					t.Errorf("%s: st.%s outside state.go", fset.Position(n.Pos()), sel.Sel.Name)
				}
			case *ast.AssignStmt:
				for _, l := range n.Lhs {
					if sel, ok := l.(*ast.SelectorExpr); ok && sel.Sel.Name == "fl" {
						t.Errorf("%s: fl assigned outside state.go", fset.Position(n.Pos()))
					}
				}
			}
			return true
		})
	}
}

// isSocketVar: the receiver names the package gives a *Socket (s, d, src,
// dst); other types' set methods (a Timer's, a cache's) are not state.
func isSocketVar(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && (id.Name == "s" || id.Name == "d" || id.Name == "src" || id.Name == "dst")
}

// TestStateBits: each sub-state's bits are distinct and fit their word, and
// the reconnect masks reset only bits that exist.
func TestStateBits(t *testing.T) {
	st := []uint32{
		stConnecting, stOpen, stDestroyed, stErrored, stKind0, stKind1, stFDExposed,
		stReadable, stFlowing, stPaused, stDataEmitted, stEndEmitted,
		stWritable, stEnding, stEndPosted, stNeedDrain, stFinished,
		stAllowHalfOpen, stNoDelay, stKeepAlive,
		stRemote4, stRemote6, stPeerRead,
		stPipeData, stPipeEnd,
	}
	var all uint32
	for _, b := range st {
		if bits.OnesCount32(b) != 1 || all&b != 0 {
			t.Fatalf("st bit %#x is not a fresh single bit", b)
		}
		all |= b
	}
	for _, m := range []uint32{lifecycleResetSt, readResetSt, writeResetSt, peerResetSt, endCalled, stKindMask} {
		if m&^all != 0 {
			t.Errorf("st mask %#x names bits that do not exist", m)
		}
	}
	fl := []flags{
		fEverConnected, fSoleFD, fDetached, fRefed, fHookDone, fErrorEmitted, fCloseEmitted,
		fReadStarted, fReadingNow, fReadEOF, fDataWaiting, fEncoded,
		fShutdownDone, fDoneQueued, fCorked, fSpliced,
		fNoDelaySet, fKeepAliveSet,
		fPipeWait,
		fLayered, fLayerRead, fLayerBusy,
	}
	var allF flags
	for _, b := range fl {
		if bits.OnesCount32(uint32(b)) != 1 || allF&b != 0 {
			t.Fatalf("fl bit %#x is not a fresh single bit", b)
		}
		allF |= b
	}
	for _, m := range []flags{lifecycleResetFl, readResetFl, writeResetFl, optionsResetFl} {
		if m&^allF != 0 {
			t.Errorf("fl mask %#x names bits that do not exist", m)
		}
	}
	for _, k := range []sockKind{kindNone, kindTCP4, kindTCP6, kindUnix} {
		var s Socket
		s.st.Store(stDestroyed | stPaused)
		s.setKind(k)
		if s.kind() != k || s.st.Load()&^stKindMask != stDestroyed|stPaused {
			t.Errorf("setKind(%d): kind %d, st %#x", k, s.kind(), s.st.Load())
		}
	}
}
