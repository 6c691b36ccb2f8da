"""Daily orders rollup: one row per store and day."""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.window import Window


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--ds", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--output", required=True)
    return p.parse_args()


def main():
    args = parse_args()
    spark = SparkSession.builder.appName("daily_orders_rollup").getOrCreate()

    orders = spark.read.parquet(f"{args.input}ds={args.ds}/")
    refunds = spark.read.parquet(f"{args.input.replace('orders', 'refunds')}ds={args.ds}/")

    # net amount per order after refunds
    net = (
        orders.join(refunds.select("order_id", "refund_amount"), "order_id", "left")
        .fillna({"refund_amount": 0.0})
        .withColumn("net_amount", F.col("gross_amount") - F.col("refund_amount"))
    )

    # 2022-08-02: also keep the channel split (PR #212)
    net = net.withColumn("is_online", F.col("channel").isin("web", "app"))

    rollup = (
        net.groupBy("store_id")
        .agg(
            F.count("order_id").alias("orders"),
            F.sum("net_amount").alias("net_amount"),
            F.sum(F.when(F.col("is_online"), F.col("net_amount")).otherwise(0.0)).alias("online_net_amount"),
        )
    )

    rollup = rollup.withColumn("ds", F.lit(args.ds))
    rollup.select(
        "ds",
        "store_id",
        "orders",
        "net_amount",
        "online_net_amount",
    )
    # rank stores by net amount for the dashboard
    # (ties share a rank)
    w = Window.orderBy(F.desc("net_amount"))
    rollup = rollup.withColumn("net_amount_rank", F.dense_rank().over(w))

    daily = rollup
        .withColumn("order_date", F.to_date("order_ts"))
    daily.write.mode("overwrite").parquet(f"{args.output}ds={args.ds}/")
    spark.stop()


if __name__ == "__main__":
    main()
