using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;

// Linked into the build task and the generator: plain C# for netstandard2.0 with no dependencies, so no spans
// (System.Memory is a package there) and no System.Text.Json.
// compiled into the build task and the generator, which the tests reference both: one namespace each keeps their types apart
#if CNNGEN_GENERATOR
namespace CnnGen.Generator.Onnx;
#else
namespace CnnGen.Onnx;
#endif

/// <summary>
/// An immutable array compared by its elements, so the ONNX records that hold one have value equality and the
/// generator's pipeline can cache them. Floats and doubles compare by their bits: NaN equals the same NaN, 0 and
/// -0 differ, as "the same model" means the same bits. (The repository's EquatableArray uses spans and default
/// float equality; this one serves the ONNX records on their own.)
/// </summary>
internal readonly struct OnnxArray<T> : IEquatable<OnnxArray<T>>, IReadOnlyList<T>
{
    private readonly T[]? _items;

    /// <summary>A copy of <paramref name="items"/>.</summary>
    public OnnxArray(IEnumerable<T> items) => _items = items.ToArray();

    private OnnxArray(T[] items, bool owned) => _items = items;

    public static OnnxArray<T> Empty => default;

    /// <summary>Wraps an array the caller gives up: nobody may write to it afterwards.</summary>
    internal static OnnxArray<T> Own(T[] items) => new(items, owned: true);

    public int Count => _items?.Length ?? 0;

    public T this[int index] => (_items ?? Array.Empty<T>())[index];

    public T[] ToArray() => _items is null ? Array.Empty<T>() : (T[])_items.Clone();

    public bool Equals(OnnxArray<T> other)
    {
        var a = _items ?? Array.Empty<T>();
        var b = other._items ?? Array.Empty<T>();
        if (ReferenceEquals(a, b)) return true;
        if (a.Length != b.Length) return false;
        var comparer = ElementEquality<T>.Comparer;
        for (int i = 0; i < a.Length; i++)
            if (!comparer.Equals(a[i], b[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is OnnxArray<T> other && Equals(other);

    public static bool operator ==(OnnxArray<T> left, OnnxArray<T> right) => left.Equals(right);

    public static bool operator !=(OnnxArray<T> left, OnnxArray<T> right) => !left.Equals(right);

    public override int GetHashCode()
    {
        var comparer = ElementEquality<T>.Comparer;
        int hash = 17;
        foreach (var item in _items ?? Array.Empty<T>()) hash = unchecked(hash * 31 + (item is null ? 0 : comparer.GetHashCode(item)));
        return hash;
    }

    public Enumerator GetEnumerator() => new(_items ?? Array.Empty<T>());

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<T>)this).GetEnumerator();

    public override string ToString() => "[" + string.Join(", ", _items ?? Array.Empty<T>()) + "]";

    /// <summary>foreach without allocating.</summary>
    public struct Enumerator
    {
        private readonly T[] _items;
        private int _index;

        internal Enumerator(T[] items)
        {
            _items = items;
            _index = -1;
        }

        public T Current => _items[_index];

        public bool MoveNext() => ++_index < _items.Length;
    }
}

/// <summary>Creates <see cref="OnnxArray{T}"/> with type inference.</summary>
internal static class OnnxArray
{
    public static OnnxArray<T> Of<T>(params T[] items) => new(items);
}

/// <summary>Element equality for <see cref="OnnxArray{T}"/>: bitwise for float and double, the default otherwise.</summary>
internal static class ElementEquality<T>
{
    public static readonly IEqualityComparer<T> Comparer =
        typeof(T) == typeof(float) ? (IEqualityComparer<T>)(object)FloatBitsComparer.Instance
        : typeof(T) == typeof(double) ? (IEqualityComparer<T>)(object)DoubleBitsComparer.Instance
        : EqualityComparer<T>.Default;

    private sealed class FloatBitsComparer : IEqualityComparer<float>
    {
        public static readonly FloatBitsComparer Instance = new();

        public bool Equals(float x, float y) => FloatBits.ToInt32(x) == FloatBits.ToInt32(y);

        public int GetHashCode(float value) => FloatBits.ToInt32(value);
    }

    private sealed class DoubleBitsComparer : IEqualityComparer<double>
    {
        public static readonly DoubleBitsComparer Instance = new();

        public bool Equals(double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y);

        public int GetHashCode(double value) => BitConverter.DoubleToInt64Bits(value).GetHashCode();
    }
}

/// <summary>A float's bits and back; netstandard2.0 has no BitConverter.SingleToInt32Bits.</summary>
internal static class FloatBits
{
    public static int ToInt32(float value) => new Union { Single = value }.Int32;

    public static float ToSingle(int bits) => new Union { Int32 = bits }.Single;

    [StructLayout(LayoutKind.Explicit)]
    private struct Union
    {
        [FieldOffset(0)] public float Single;
        [FieldOffset(0)] public int Int32;
    }
}
