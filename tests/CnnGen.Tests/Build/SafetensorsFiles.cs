using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CnnGen.Tests.Build;

/// <summary>Safetensors files written in C#, as safetensors.torch.save_file lays them out (the format is simple).</summary>
internal static class SafetensorsFiles
{
    /// <summary>The 8-byte little-endian length, the header's bytes, then <paramref name="dataBytes"/> bytes of data.</summary>
    public static byte[] Raw(byte[] header, long dataBytes, ulong? claimedLength = null)
    {
        var file = new byte[8 + header.Length + dataBytes];
        ulong length = claimedLength ?? (ulong)header.Length;
        for (int i = 0; i < 8; i++) file[i] = (byte)(length >> (8 * i));
        header.CopyTo(file, 8);
        for (long i = 0; i < dataBytes; i++) file[8 + header.Length + i] = (byte)(i * 7);
        return file;
    }

    public static byte[] Raw(string header, long dataBytes) => Raw(Encoding.UTF8.GetBytes(header), dataBytes);

    /// <summary>A valid file holding the tensors in this order in the data, all F32 unless a dtype is given, with the header padded with spaces to 8 bytes as the Rust library does.</summary>
    public static byte[] Of(params (string Name, long[] Shape)[] tensors) => Of(tensors.Select(t => (t.Name, "F32", t.Shape)).ToArray());

    public static byte[] Of(params (string Name, string DType, long[] Shape)[] tensors)
    {
        var json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        foreach (var (name, dtype, shape) in tensors)
        {
            long bytes = shape.Aggregate(1L, (a, d) => a * d) * Bits(dtype) / 8;
            json.Append(',').Append(Json(name)).Append(":{\"dtype\":\"").Append(dtype).Append("\",\"shape\":[")
                .Append(string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))))
                .Append("],\"data_offsets\":[").Append(offset).Append(',').Append(offset + bytes).Append("]}");
            offset += bytes;
        }
        json.Append('}');
        while (Encoding.UTF8.GetByteCount(json.ToString()) % 8 != 0) json.Append(' ');
        return Raw(json.ToString(), offset);
    }

    private static int Bits(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" or "C64" => 64,
        "F32" or "I32" or "U32" => 32,
        "F16" or "BF16" or "I16" or "U16" => 16,
        _ => 8,
    };

    /// <summary>A JSON string literal; everything outside printable ASCII as \u escapes.</summary>
    public static string Json(string s)
    {
        var b = new StringBuilder("\"");
        foreach (char c in s)
        {
            if (c == '"' || c == '\\') b.Append('\\').Append(c);
            else if (c < 0x20 || c > 0x7E) b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else b.Append(c);
        }
        return b.Append('"').ToString();
    }
}
