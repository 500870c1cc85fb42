namespace Lantern;

/// <summary>Element type of a tensor. Float32 is the default and the fast path.</summary>
public enum DType : byte
{
    /// <summary>Boolean (masks, comparisons). One byte per element.</summary>
    Bool,
    /// <summary>Unsigned 8-bit integer (images).</summary>
    UInt8,
    /// <summary>Signed 64-bit integer (indices, labels).</summary>
    Int64,
    /// <summary>32-bit IEEE float (default).</summary>
    Float32,
    /// <summary>64-bit IEEE float (gradcheck, precision).</summary>
    Float64,
}

/// <summary>Facts about <see cref="DType"/> and PyTorch's type-promotion lattice.</summary>
public static class DTypes
{
    /// <summary>The default floating dtype (torch.get_default_dtype()).</summary>
    public const DType DefaultFloat = DType.Float32;

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType t) => t switch
    {
        DType.Bool or DType.UInt8 => 1,
        DType.Float32 => 4,
        _ => 8,
    };

    /// <summary>True for Float32 and Float64.</summary>
    public static bool IsFloatingPoint(this DType t) => t is DType.Float32 or DType.Float64;

    /// <summary>True for UInt8 and Int64 (not Bool).</summary>
    public static bool IsIntegral(this DType t) => t is DType.UInt8 or DType.Int64;

    /// <summary>Category rank used by promotion: Bool 0, integer 1, floating 2.</summary>
    public static int Category(this DType t) => t == DType.Bool ? 0 : t.IsIntegral() ? 1 : 2;

    /// <summary>PyTorch's name, e.g. "torch.float32".</summary>
    public static string TorchName(this DType t) => t switch
    {
        DType.Bool => "torch.bool",
        DType.UInt8 => "torch.uint8",
        DType.Int64 => "torch.int64",
        DType.Float32 => "torch.float32",
        _ => "torch.float64",
    };

    /// <summary>
    /// torch.promote_types: the smallest dtype both can be converted to without leaving their category.
    /// The enum order is the lattice order for the dtypes Lantern has (Bool &lt; UInt8 &lt; Int64 &lt; Float32 &lt; Float64).
    /// </summary>
    public static DType Promote(DType a, DType b) => (DType)Math.Max((byte)a, (byte)b);

    /// <summary>The DType of a CLR element type (float, double, long, byte, bool).</summary>
    /// <exception cref="NotSupportedException">For any other type.</exception>
    public static DType Of<T>()
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        throw new NotSupportedException($"No Lantern dtype for element type {typeof(T).Name}; use float, double, long, byte or bool.");
    }

    /// <summary>The CLR element type of a DType.</summary>
    public static Type ClrType(this DType t) => t switch
    {
        DType.Bool => typeof(bool),
        DType.UInt8 => typeof(byte),
        DType.Int64 => typeof(long),
        DType.Float32 => typeof(float),
        _ => typeof(double),
    };
}
