# What a data-analysis assistant typically writes: read the user's CSV, summarise, chart.
import pandas as pd
import matplotlib.pyplot as plt

df = pd.read_csv("sales.csv", parse_dates=["month"])
df["margin"] = df["revenue"] - df["costs"]
print(df.describe().round(1).to_string())

fig, ax = plt.subplots(figsize=(8, 4.5))
ax.plot(df["month"], df["revenue"], marker="o", label="revenue")
ax.plot(df["month"], df["costs"], marker="o", label="costs")
ax.fill_between(df["month"], df["costs"], df["revenue"], alpha=0.15, label="margin")
ax.set_title("Revenue and costs, 2026")
ax.legend()
fig.autofmt_xdate()
fig.tight_layout()
fig.savefig("chart.png", dpi=100)
print("wrote chart.png")
