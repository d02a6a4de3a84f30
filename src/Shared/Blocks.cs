// Shared between the generator and the runtime library as a linked file: the network as the user
// declares it (layers and blocks nested in one another) and its expansion into the dataflow graph,
// with the state_dict names PyTorch's modules give. One source of truth for the naming rules: the
// generator's attributes and the library's specs both come through here.
using System.Collections.Generic;
using System.Globalization;

namespace CnnGen.Ir;

internal enum BlockKind
{
    /// <summary>y = B(x): an nn.Sequential of B's items.</summary>
    Sequential,

    /// <summary>y = B(x) + x, or B(x) + S(x): the body's items, then the shortcut as an nn.Sequential.</summary>
    Residual,

    /// <summary>y = cat([x,] A(x), B(x), ..., dim = 1): each branch an nn.Sequential named by its position.</summary>
    Concat,

    /// <summary>y = x * B(x): the gate's items; the gate gives x's shape or [C, 1, 1].</summary>
    Multiply,
}

/// <summary>
/// One item of a sequence of layers: a layer or a block. <see cref="Origin"/> is the front-end's
/// own handle on where the item was written (an index into its table), for diagnostics.
/// </summary>
internal abstract record Item
{
    public int Origin { get; init; } = -1;

    /// <summary>The module name the user gave: null for the position, "" (on a block) to insert its children in its place.</summary>
    public abstract string? Name { get; }

    /// <summary>The attribute's name: "Conv2D", "Residual".</summary>
    public abstract string Kind { get; }
}

/// <summary>A layer: one op.</summary>
internal sealed record LayerItem(Op Op) : Item
{
    public override string? Name => Op.Name;

    public override string Kind => Op.Kind;
}

/// <summary>A block class's items (or a network's), with the class's name for messages.</summary>
internal sealed record Sequence(string TypeName, EquatableArray<Item> Items);

/// <summary>
/// A use of blocks: <see cref="Parts"/> holds the body (Sequential, Residual, Multiply), then a
/// Residual's shortcut, or a Concat's branches in order.
/// </summary>
internal sealed record BlockItem(BlockKind Block, EquatableArray<Sequence> Parts) : Item
{
    public string? ModuleName { get; init; }

    public override string? Name => ModuleName;

    public override string Kind => Block.ToString();

    /// <summary>Concat: x itself is the first part.</summary>
    public bool IncludeInput { get; init; }

    /// <summary>Residual: the shortcut's module name.</summary>
    public string ShortcutName { get; init; } = "shortcut";

    public Sequence? Shortcut => Block == BlockKind.Residual && Parts.Count > 1 ? Parts[1] : null;
}

/// <summary>What a front-end declares: an input shape and the network's items.</summary>
internal sealed record NetworkDeclaration(FeatureShape Input, Sequence Network);

/// <summary>
/// A naming mistake found while expanding: <see cref="Origin"/> is the item at fault (the
/// front-end's handle), the message is a <see cref="ShapeMessages"/> template.
/// </summary>
internal sealed record ExpansionProblem(int Origin, ShapeProblemKind Kind, string? Property, EquatableArray<string> Arguments)
{
    public string Message => new ShapeProblem(-1, Kind, Property, Arguments).Message;
}

/// <summary>The graph of a declaration, which item each node came from, and the naming problems.</summary>
internal sealed record Expansion(NetworkGraph Graph, EquatableArray<int> NodeOrigins, EquatableArray<ExpansionProblem> Problems)
{
    public bool Failed => Problems.Count > 0;
}

/// <summary>
/// Turns nested blocks into the dataflow graph. Every use of a block is a fresh module with its own
/// tensors. Keys follow PyTorch's modules: a child is named by its Name, else its 0-based position
/// among all its siblings; a block named "" puts its children among its own siblings (it still
/// takes its one position); a Residual's shortcut is the child ShortcutName after the body's items;
/// a Concat's branches are the children "0", "1", ....
/// </summary>
internal static class BlockExpansion
{
    /// <summary>No network expands to more nodes than this: a generator runs on every keystroke.</summary>
    public const int MaxNodes = 10_000;

    /// <summary>
    /// No block nests deeper than this: each level lengthens every path and key beneath it, so the
    /// cost of the messages, keys and emitted modules grows with the square of the depth.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// An item in messages: "Conv2D (layer 3)" in the network's own list, else its path from the
    /// network, "ResNet8 > layer1 (Sequential) > 0 (Residual) > conv1 (Conv2D)".
    /// </summary>
    public static string Where(string path, bool topLevel, string kind, string? name, int position) =>
        topLevel ? $"{kind} (layer {position.ToString(CultureInfo.InvariantCulture)})" : ChildPath(path, kind, name, position);

    /// <summary>The path of an item inside <paramref name="path"/>: its name (its position when it has none, or inserts its children) and kind.</summary>
    public static string ChildPath(string path, string kind, string? name, int position) =>
        $"{path} > {(string.IsNullOrEmpty(name) ? position.ToString(CultureInfo.InvariantCulture) : name)} ({kind})";

    public static Expansion Expand(NetworkDeclaration declaration)
    {
        var state = new State();
        var scope = new Scope(state, "", declaration.Network.TypeName, topLevel: true);
        state.Run(declaration.Network, 0, scope);
        return new Expansion(
            new NetworkGraph(declaration.Input, new EquatableArray<Node>(state.Nodes.ToArray())),
            new EquatableArray<int>(state.Origins.ToArray()),
            new EquatableArray<ExpansionProblem>(state.Problems.ToArray()));
    }

    /// <summary>A set of siblings: the module whose children they are, its key prefix and its path for messages.</summary>
    private sealed class Scope
    {
        // an inlined block's children join its parent's siblings: they share this table
        private readonly Dictionary<string, (int Origin, bool Named, string Property, string Where, string Described)> _owners;
        private readonly State _state;

        public Scope(State state, string prefix, string path, bool topLevel, Scope? joins = null)
        {
            _state = state;
            Prefix = prefix;
            Path = path;
            TopLevel = topLevel;
            _owners = joins?._owners ?? new Dictionary<string, (int, bool, string, string, string)>(System.StringComparer.Ordinal);
        }

        /// <summary>"layer1.0." before the children's names.</summary>
        public string Prefix { get; }

        /// <summary>"ResNet8 > layer1 (Sequential)".</summary>
        public string Path { get; }

        /// <summary>The network's own sequence: its items are named "Conv2D (layer 3)" in messages.</summary>
        public bool TopLevel { get; }

        /// <summary>
        /// Claims a child's name; false when a sibling has it. The mistake is reported on the one whose
        /// Name made the clash (a position is not the user's choice), else on the later one.
        /// </summary>
        /// <param name="name">The child's key segment.</param>
        /// <param name="origin">The claimant's item, where a mistake is reported.</param>
        /// <param name="named">Whether the user chose the name (else it is a position).</param>
        /// <param name="property">The argument that gave the name: "Name", or a Residual's "ShortcutName".</param>
        /// <param name="where">The claimant in messages.</param>
        /// <param name="described">The claimant as the other one's message names it: "Conv2D (layer 0)", "the Conv2D at position 0 of Stage".</param>
        public bool Claim(string name, int origin, bool named, string property, string where, string described)
        {
            if (_owners.TryGetValue(name, out var owner))
            {
                bool ownerAtFault = owner.Named && !named;
                if (ownerAtFault) _state.Report(owner.Origin, ShapeProblemKind.DuplicateName, owner.Property, owner.Where, "", name, described);
                else _state.Report(origin, ShapeProblemKind.DuplicateName, property, where, "", name, owner.Described);
                return false;
            }
            _owners[name] = (origin, named, property, where, described);
            return true;
        }
    }

    private sealed class State
    {
        public readonly List<Node> Nodes = new();
        public readonly List<int> Origins = new();
        public readonly List<ExpansionProblem> Problems = new();
        private int _nextValue = 1;

        public bool Stopped => Problems.Count > 0;

        public void Report(int origin, ShapeProblemKind kind, string? property, params object[] arguments) =>
            Problems.Add(new ExpansionProblem(origin, kind, property, new EquatableArray<string>(InferenceContext.Args(arguments))));

        /// <summary>Runs the items of a sequence in order from value <paramref name="x"/>, naming them in <paramref name="scope"/>; returns the last value.</summary>
        public int Run(Sequence sequence, int x, Scope scope)
        {
            for (int position = 0; position < sequence.Items.Count && !Stopped; position++)
                x = Item(sequence.Items[position], sequence.TypeName, position, x, scope);
            return x;
        }

        private int Item(Item item, string sequenceName, int position, int x, Scope scope)
        {
            string positionText = position.ToString(CultureInfo.InvariantCulture);
            string? name = item.Name;
            string where = Where(scope.Path, scope.TopLevel, item.Kind, name, position);
            if (name is not null && name.IndexOf('.') >= 0)
            {
                Report(item.Origin, ShapeProblemKind.InvalidName, "Name", where, "", "Name", name);
                return x;
            }
            if (name is { Length: 0 } && item is not BlockItem)
            {
                Report(item.Origin, ShapeProblemKind.EmptyNameOnLayer, "Name", where, "", item.Kind);
                return x;
            }
            string label = scope.TopLevel ? "layer " + positionText : where;
            // siblings of one name have one path: the other's message tells them apart by position
            string described = scope.TopLevel ? where : $"the {item.Kind} at position {positionText} of {sequenceName}";
            string path = ChildPath(scope.Path, item.Kind, name, position);
            switch (item)
            {
                case LayerItem layer:
                    {
                        string key = name ?? positionText;
                        if (!scope.Claim(key, item.Origin, name is not null, "Name", where, described)) return x;
                        return Add(layer.Op, new[] { x }, scope.Prefix + key, where, label, item.Origin);
                    }
                case BlockItem block:
                    {
                        Scope children;
                        if (name is { Length: 0 }) children = new Scope(this, scope.Prefix, path, topLevel: false, joins: scope);
                        else
                        {
                            string key = name ?? positionText;
                            if (!scope.Claim(key, item.Origin, name is not null, "Name", where, described)) return x;
                            children = new Scope(this, scope.Prefix + key + ".", path, topLevel: false);
                        }
                        return Block(block, x, children, where, label);
                    }
                default:
                    throw new System.InvalidOperationException("Unknown item " + item.GetType().Name);
            }
        }

        // a switch expression: a new BlockKind is a compile error here (CS8509), not a silent fall-through
        private int Block(BlockItem block, int x, Scope children, string where, string label) => block.Block switch
        {
            BlockKind.Sequential => Run(block.Parts[0], x, children),
            BlockKind.Residual => Residual(block, x, children, where, label),
            BlockKind.Concat => Concat(block, x, children, where, label),
            BlockKind.Multiply => Multiply(block, x, children, where, label),
        };

        /// <summary>body(x) + x, or body(x) + shortcut(x): the body's items, then the shortcut as the child ShortcutName.</summary>
        private int Residual(BlockItem block, int x, Scope children, string where, string label)
        {
            int body = Run(block.Parts[0], x, children);
            int shortcut = x;
            if (block.Shortcut is { } s && !Stopped)
            {
                if (block.ShortcutName.Length == 0 || block.ShortcutName.IndexOf('.') >= 0)
                {
                    Report(block.Origin, ShapeProblemKind.InvalidName, "ShortcutName", where, "", "ShortcutName", block.ShortcutName);
                    return x;
                }
                if (!children.Claim(block.ShortcutName, block.Origin, named: true, "ShortcutName", where, $"the shortcut of {where}")) return x;
                var scope = new Scope(this, children.Prefix + block.ShortcutName + ".", children.Path + " > " + block.ShortcutName, topLevel: false);
                shortcut = Run(s, x, scope);
            }
            if (Stopped) return x;
            return Add(new AddOp { HasShortcut = block.Shortcut is not null }, new[] { body, shortcut }, KeyOf(children), where, label, block.Origin);
        }

        /// <summary>cat([x,] branches, dim = 1): each branch the child named by its position.</summary>
        private int Concat(BlockItem block, int x, Scope children, string where, string label)
        {
            var parts = new List<int>();
            if (block.IncludeInput) parts.Add(x);
            for (int b = 0; b < block.Parts.Count && !Stopped; b++)
            {
                string branch = b.ToString(CultureInfo.InvariantCulture);
                if (!children.Claim(branch, block.Origin, named: false, "Name", where, $"branch {branch} of {where}")) return x;
                var scope = new Scope(this, children.Prefix + branch + ".", children.Path + " > " + branch, topLevel: false);
                parts.Add(Run(block.Parts[b], x, scope));
            }
            if (Stopped) return x;
            return Add(new ConcatOp { IncludesInput = block.IncludeInput }, parts.ToArray(), KeyOf(children), where, label, block.Origin);
        }

        /// <summary>x * gate(x): the gate's items are the block's children.</summary>
        private int Multiply(BlockItem block, int x, Scope children, string where, string label)
        {
            int gate = Run(block.Parts[0], x, children);
            if (Stopped) return x;
            return Add(new MultiplyOp(), new[] { x, gate }, KeyOf(children), where, label, block.Origin);
        }

        /// <summary>The block's own module key: its children's prefix without the final ".".</summary>
        private static string KeyOf(Scope children) => children.Prefix.Length == 0 ? "" : children.Prefix.Substring(0, children.Prefix.Length - 1);

        private int Add(Op op, int[] inputs, string key, string where, string label, int origin)
        {
            if (Nodes.Count >= MaxNodes)
            {
                Report(origin, ShapeProblemKind.TooManyNodes, null, where, "", MaxNodes);
                return inputs[0];
            }
            int output = _nextValue++;
            Nodes.Add(new Node(op, new EquatableArray<int>(inputs), output, key, where, label));
            Origins.Add(origin);
            return output;
        }
    }
}
