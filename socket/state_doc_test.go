package socket

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestStateDocTable keeps state.go's doc comment true. It reads state.go
// the way a reader would and checks, against the code:
//
//   - every bit of Socket.st and Socket.fl (the constants declared as
//     1 << iota) has a doc comment of its own;
//   - the comment's "# Bits" table has exactly one row per bit, so a bit
//     cannot be added without appearing there;
//   - each row's "set by" and "cleared by" name exactly the methods of
//     state.go that set and clear that bit (through mark, swap, set, unset,
//     setTo, st.Store or an assignment to fl, with the reset masks
//     expanded), so the table cannot go stale when a transition changes;
//   - every such transition method is named in the lifecycle diagram or the
//     sub-state diagrams above the table, not only in the table.
//
// On failure it prints the table the code implies.
func TestStateDocTable(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "state.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var bitsInOrder []string
	isBit := map[string]bool{}
	masks := map[string][]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST || len(gd.Specs) == 0 {
			continue
		}
		first := gd.Specs[0].(*ast.ValueSpec)
		if len(first.Values) == 1 && isOneShiftIota(first.Values[0]) {
			for _, sp := range gd.Specs {
				vs := sp.(*ast.ValueSpec)
				for _, n := range vs.Names {
					bitsInOrder = append(bitsInOrder, n.Name)
					isBit[n.Name] = true
				}
				if vs.Doc == nil {
					t.Errorf("%s: bit %s has no doc comment of its own", fset.Position(vs.Pos()), vs.Names[0].Name)
				}
			}
			continue
		}
		for _, sp := range gd.Specs {
			vs := sp.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					masks[n.Name] = identsOf(vs.Values[i])
				}
			}
		}
	}
	if len(bitsInOrder) < 40 {
		t.Fatalf("found %d bits in state.go; the parse missed the bit declarations", len(bitsInOrder))
	}
	expand := func(e ast.Expr) (bits []string, exact bool) {
		exact = true
		var walk func(name string)
		walk = func(name string) {
			if isBit[name] {
				bits = append(bits, name)
				return
			}
			if m, ok := masks[name]; ok {
				for _, n := range m {
					walk(n)
				}
			}
		}
		if !isBitExpr(e) {
			exact = false
		}
		for _, n := range identsOf(e) {
			if !isBit[n] && masks[n] == nil {
				exact = false // a variable, a conversion, a shift
			}
			walk(n)
		}
		return bits, exact
	}

	// What each method of state.go does to each bit.
	setBy := map[string][]string{}
	clearedBy := map[string][]string{}
	note := func(m map[string][]string, bits []string, method string) {
		for _, b := range bits {
			if !slices.Contains(m[b], method) {
				m[b] = append(m[b], method)
			}
		}
	}
	primitive := map[string]bool{"is": true, "mark": true, "swap": true, "has": true, "set": true, "unset": true, "setTo": true}
	var transitions []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil || primitive[fd.Name.Name] {
			continue
		}
		name := fd.Name.Name
		touched := false
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if sel, ok := n.Lhs[0].(*ast.SelectorExpr); ok && sel.Sel.Name == "fl" {
					b, _ := expand(n.Rhs[0])
					note(setBy, b, name)
					touched = true
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if inner, ok := sel.X.(*ast.SelectorExpr); ok && inner.Sel.Name == "st" && sel.Sel.Name == "Store" {
					b, _ := expand(n.Args[0])
					note(setBy, b, name)
					touched = true
					return true
				}
				if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "s" {
					return true
				}
				switch sel.Sel.Name {
				case "set":
					b, _ := expand(n.Args[0])
					note(setBy, b, name)
				case "unset":
					b, _ := expand(n.Args[0])
					note(clearedBy, b, name)
				case "mark", "setTo":
					b, _ := expand(n.Args[0])
					switch lit := n.Args[1].(type) {
					case *ast.Ident:
						if lit.Name == "true" {
							note(setBy, b, name)
						} else if lit.Name == "false" {
							note(clearedBy, b, name)
						} else {
							note(setBy, b, name)
							note(clearedBy, b, name)
						}
					default:
						note(setBy, b, name)
						note(clearedBy, b, name)
					}
				case "swap":
					off, _ := expand(n.Args[0])
					on, exact := expand(n.Args[1])
					if !exact {
						// A computed value (setKind's shifted kind): any bit
						// of off may end up set or clear.
						note(setBy, off, name)
						note(clearedBy, off, name)
						break
					}
					note(setBy, on, name)
					var cleared []string
					for _, b := range off {
						if !slices.Contains(on, b) {
							cleared = append(cleared, b)
						}
					}
					note(clearedBy, cleared, name)
				default:
					return true
				}
				touched = true
			}
			return true
		})
		if touched {
			transitions = append(transitions, name)
		}
	}

	// The doc comment: the diagrams, then the table after "# Bits".
	var doc string
	for _, cg := range f.Comments {
		if txt := cg.Text(); strings.Contains(txt, "\n# Bits\n") && strings.Contains(txt, "\n# Lifecycle\n") {
			doc = txt
		}
	}
	if doc == "" {
		t.Fatal(`state.go has no comment with the "# Lifecycle" diagram and the "# Bits" table`)
	}
	diagrams, table, _ := strings.Cut(doc, "\n# Bits\n")
	rows := map[string][2][]string{}
	for _, line := range strings.Split(table, "\n") {
		cols := splitColumns(line)
		if len(cols) == 0 || !isBit[cols[0]] {
			continue
		}
		if len(cols) != 3 {
			t.Errorf("table row %q: want three columns (bit, set by, cleared by) two or more spaces apart", line)
			continue
		}
		if _, dup := rows[cols[0]]; dup {
			t.Errorf("table: %s has two rows", cols[0])
		}
		rows[cols[0]] = [2][]string{methodList(cols[1]), methodList(cols[2])}
	}

	bad := false
	for _, b := range bitsInOrder {
		row, ok := rows[b]
		if !ok {
			t.Errorf("table: no row for %s", b)
			bad = true
			continue
		}
		want := [2][]string{sorted(setBy[b]), sorted(clearedBy[b])}
		if !slices.Equal(sorted(row[0]), want[0]) || !slices.Equal(sorted(row[1]), want[1]) {
			t.Errorf("table: %s says set by %v, cleared by %v; the code: set by %v, cleared by %v",
				b, row[0], row[1], want[0], want[1])
			bad = true
		}
	}
	for _, m := range transitions {
		if !containsWord(diagrams, m) {
			t.Errorf("transition %s is not named in the diagrams above the table", m)
			bad = true
		}
	}
	if bad {
		var sb strings.Builder
		for _, b := range bitsInOrder {
			fmt.Fprintf(&sb, "//\t%-16s%-40s%s\n", b, join(sorted(setBy[b])), join(sorted(clearedBy[b])))
		}
		t.Logf("the table the code implies:\n%s", sb.String())
	}
}

func isOneShiftIota(e ast.Expr) bool {
	be, ok := e.(*ast.BinaryExpr)
	if !ok || be.Op != token.SHL {
		return false
	}
	id, ok := be.Y.(*ast.Ident)
	return ok && id.Name == "iota"
}

// isBitExpr: e is bits and masks combined with | (nothing computed).
func isBitExpr(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return true
	case *ast.ParenExpr:
		return isBitExpr(e.X)
	case *ast.BinaryExpr:
		return e.Op == token.OR && isBitExpr(e.X) && isBitExpr(e.Y)
	}
	return false
}

func identsOf(e ast.Expr) []string {
	var out []string
	ast.Inspect(e, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			out = append(out, id.Name)
		}
		return true
	})
	return out
}

// splitColumns splits a preformatted table line on runs of two or more
// spaces (or tabs).
func splitColumns(line string) []string {
	line = strings.TrimSpace(line)
	var cols []string
	for _, c := range strings.Split(strings.ReplaceAll(line, "\t", "  "), "  ") {
		if c = strings.TrimSpace(c); c != "" {
			cols = append(cols, c)
		}
	}
	return cols
}

// methodList reads "a, b" (or "-" for none).
func methodList(s string) []string {
	if s == "-" {
		return nil
	}
	var out []string
	for _, m := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(m))
	}
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	if out == nil {
		out = []string{}
	}
	return out
}

func join(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ", ")
}

func containsWord(text, w string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !isIdentByte(text[j-1])) && (end == len(text) || !isIdentByte(text[end])) {
			return true
		}
		i = end
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
