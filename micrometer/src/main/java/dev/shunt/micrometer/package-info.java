/** Shunt's process-wide metrics as Micrometer meters: {@link dev.shunt.micrometer.ShuntMeterBinder}. */
package dev.shunt.micrometer;
