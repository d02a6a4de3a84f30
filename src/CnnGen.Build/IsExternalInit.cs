// netstandard2.0 lacks this marker type; records need it. The generator has its own (src/CnnGen.Generator/Model).
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
